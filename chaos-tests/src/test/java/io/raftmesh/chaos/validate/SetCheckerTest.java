package io.raftmesh.chaos.validate;

import static io.raftmesh.chaos.history.Values.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.chaos.history.HistoryBuilder;
import io.raftmesh.chaos.history.Values;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetCheckerTest {

  private static HistoryBuilder add(HistoryBuilder b, long call, long ret, int p, String e) {
    return b.op(call, ret, p, "add", null, text(e), null);
  }

  private static HistoryBuilder read(HistoryBuilder b, long call, long ret, int p, String... es) {
    return b.op(call, ret, p, "read", null, null, Values.list(List.of(es)));
  }

  @Test
  void acceptsAllAcknowledgedAddsInTheFinalRead() {
    HistoryBuilder b = new HistoryBuilder();
    add(b, 0, 1, 0, "a");
    add(b, 2, 3, 0, "b");
    b.invoke(4, 1, "add", null, text("c")).info(5, 1, "add");
    b.invoke(6, 2, "add", null, text("d")).info(7, 2, "add");
    b.invoke(8, 3, "add", null, text("e")).fail(9, 3, "add");
    read(b, 10, 11, 4, "a", "b", "c");

    CheckResult r = SetChecker.check(b.build());

    assertThat(r.validity()).isEqualTo(Validity.VALID);
    assertThat(r.count("attempted")).isEqualTo(5);
    assertThat(r.count("ok")).isEqualTo(2);
    assertThat(r.count("lost")).isZero();
    assertThat(r.count("recovered-unknown")).isEqualTo(1);
    assertThat(r.count("unknown-absent")).isEqualTo(1);
  }

  @Test
  void reportsLostAcknowledgedAdd() {
    HistoryBuilder b = new HistoryBuilder();
    add(b, 0, 1, 0, "a");
    add(b, 2, 3, 0, "b");
    read(b, 4, 5, 1, "a");

    CheckResult r = SetChecker.check(b.build());

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.count("lost")).isEqualTo(1);
    assertThat(r.anomalies("lost").get(0).message()).contains("acknowledged add b");
  }

  @Test
  void reportsElementsNeverAttemptedAndFailedAddsThatTookEffect() {
    HistoryBuilder b = new HistoryBuilder();
    b.invoke(0, 0, "add", null, text("f")).fail(1, 0, "add");
    read(b, 2, 3, 1, "f", "ghost");

    CheckResult r = SetChecker.check(b.build());

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.count("unexpected")).isEqualTo(1);
    assertThat(r.count("failed-present")).isEqualTo(1);
  }

  @Test
  void reportsStaleIntermediateReadsAndReadsFromTheFuture() {
    HistoryBuilder b = new HistoryBuilder();
    add(b, 0, 1, 0, "a");
    read(b, 2, 3, 1); // misses a, acknowledged before it began
    read(b, 4, 5, 1, "a", "z"); // z is added only later
    add(b, 6, 7, 0, "z");
    read(b, 8, 9, 1, "a", "z");

    CheckResult r = SetChecker.check(b.build());

    assertThat(r.count("stale")).isEqualTo(1);
    assertThat(r.count("future")).isEqualTo(1);
    assertThat(r.validity()).isEqualTo(Validity.INVALID);
  }

  @Test
  void usesTheLastReadAsTheFinalRead() {
    HistoryBuilder b = new HistoryBuilder();
    b.invoke(0, 0, "add", null, text("a")).info(1, 0, "add");
    read(b, 2, 3, 1, "a");
    read(b, 4, 5, 1);

    CheckResult r = SetChecker.check(b.build());

    // "a" had an unknown outcome: seeing it and then not seeing it is not a set violation here
    // (the register checker is the one that catches flapping values).
    assertThat(r.count("unknown-absent")).isEqualTo(1);
    assertThat(r.count("reads")).isEqualTo(2);
  }

  @Test
  void isUnknownWithoutAnyRead() {
    HistoryBuilder b = new HistoryBuilder();
    add(b, 0, 1, 0, "a");

    assertThat(SetChecker.check(b.build()).validity()).isEqualTo(Validity.UNKNOWN);
  }

  @Test
  void rejectsReadWhoseValueIsNotAList() {
    HistoryBuilder b = new HistoryBuilder().op(0, 1, 0, "read", null, null, text("a"));

    assertThatThrownBy(() -> SetChecker.check(b.build()))
        .hasMessageContaining("expected: an array of elements");
  }
}
