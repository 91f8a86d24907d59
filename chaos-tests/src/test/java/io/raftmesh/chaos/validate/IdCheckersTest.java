package io.raftmesh.chaos.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.chaos.history.HistoryBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdCheckersTest {

  @Test
  void acceptsDistinctSerialsAndCountsOnesSurfacedFromUnknownOperations() {
    List<IdObservation> ok =
        List.of(new IdObservation("01", "certA", "op 1"), new IdObservation("02", "certB", "op 3"));
    List<IdObservation> listing =
        List.of(
            new IdObservation("01", "certA", "listing"),
            new IdObservation("02", "certB", "listing"),
            new IdObservation("03", "certC", "listing"));

    CheckResult r = UniqueIdsChecker.check("serials", ok, listing, true);

    assertThat(r.validity()).isEqualTo(Validity.VALID);
    assertThat(r.count("ids")).isEqualTo(3);
    assertThat(r.count("surfaced-unacknowledged")).isEqualTo(1);
  }

  @Test
  void rejectsSerialIssuedForTwoCertificatesIncludingOneFromAnUnknownOperation() {
    List<IdObservation> ok = List.of(new IdObservation("07", "certA", "op 1"));
    List<IdObservation> listing =
        List.of(
            new IdObservation("07", "certA", "listing"),
            new IdObservation("07", "certZ", "listing"));

    CheckResult r = UniqueIdsChecker.check("serials", ok, listing, true);

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.count("duplicates")).isEqualTo(1);
    assertThat(r.anomalies().get(0).message()).contains("id 07 issued twice");
  }

  @Test
  void rejectsAcknowledgedIssuanceMissingFromTheListing() {
    CheckResult r =
        UniqueIdsChecker.check(
            "serials", List.of(new IdObservation("09", "certA", "op 1")), List.of(), true);

    assertThat(r.count("unrecorded")).isEqualTo(1);
    assertThat(r.validity()).isEqualTo(Validity.INVALID);

    CheckResult noListing =
        UniqueIdsChecker.check(
            "serials", List.of(new IdObservation("09", "certA", "op 1")), List.of(), false);
    assertThat(noListing.validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void acceptsOneUseTokenUsedOnceDespiteUnknownAttempts() {
    HistoryBuilder b = new HistoryBuilder();
    b.invoke(0, 0, "enroll", "t1", null).info(1, 0, "enroll");
    b.invoke(2, 1, "enroll", "t1", null).ok(3, 1, "enroll", null);
    b.invoke(4, 2, "enroll", "t1", null).fail(5, 2, "enroll");

    CheckResult r = TokenUseChecker.check(b.build(), Map.of(), Map.of("t1", 1));

    assertThat(r.validity()).isEqualTo(Validity.VALID);
    assertThat(r.count("enrollments")).isEqualTo(3);
  }

  @Test
  void rejectsOneUseTokenAcknowledgedTwice() {
    HistoryBuilder b = new HistoryBuilder();
    b.invoke(0, 0, "enroll", "t1", null).ok(1, 0, "enroll", null);
    b.invoke(2, 1, "enroll", "t1", null).ok(3, 1, "enroll", null);

    CheckResult r = TokenUseChecker.check(b.build(), Map.of(), Map.of());

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.anomalies("overused").get(0).message()).contains("token t1 allows 1 uses, 2");
  }

  @Test
  void rejectsTokenWhoseFinalStateShowsMoreUsesThanAllowedOrFewerThanAcknowledged() {
    HistoryBuilder b = new HistoryBuilder();
    b.invoke(0, 0, "enroll", "t1", null).info(1, 0, "enroll");
    b.invoke(2, 1, "enroll", "t1", null).ok(3, 1, "enroll", null);
    b.invoke(4, 2, "enroll", "t2", null).ok(5, 2, "enroll", null);

    CheckResult r = TokenUseChecker.check(b.build(), Map.of("t2", 3), Map.of("t1", 2, "t2", 0));

    assertThat(r.count("overused")).isEqualTo(1);
    assertThat(r.count("unrecorded")).isEqualTo(1);
  }
}
