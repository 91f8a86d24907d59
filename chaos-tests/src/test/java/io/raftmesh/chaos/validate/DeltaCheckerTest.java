package io.raftmesh.chaos.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.chaos.model.Change;
import io.raftmesh.chaos.model.ChangeLog;
import io.raftmesh.chaos.model.Delta;
import io.raftmesh.chaos.model.DeltaStream;
import io.raftmesh.chaos.model.StoreSnapshot;
import io.raftmesh.chaos.model.SubscriberLog;
import io.raftmesh.chaos.model.Upsert;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeltaCheckerTest {
  // rev 1: a=a1; rev 2: b=b1; rev 3: a=a2 and c=c1 (one transaction); rev 4: b removed; rev 5: d=d1
  private static final ChangeLog LOG =
      ChangeLog.of(
          List.of(
              new Change(1, "/a", "a1"),
              new Change(2, "/b", "b1"),
              new Change(3, "/a", "a2"),
              new Change(3, "/c", "c1"),
              new Change(4, "/b", null),
              new Change(5, "/d", "d1")));

  private static final Upsert A1 = new Upsert("/a", "a1", 1);
  private static final Upsert B1 = new Upsert("/b", "b1", 2);
  private static final Upsert A2 = new Upsert("/a", "a2", 3);
  private static final Upsert C1 = new Upsert("/c", "c1", 3);
  private static final Upsert D1 = new Upsert("/d", "d1", 5);

  private static final StoreSnapshot FINAL =
      new StoreSnapshot(5, Map.of("/a", A2, "/c", C1, "/d", D1));

  private static Delta delta(long prev, long rev, List<Upsert> ups, List<String> rem) {
    return Delta.of(prev, rev, ups, rem);
  }

  private static SubscriberLog sub(DeltaStream... streams) {
    return new SubscriberLog("agent-1", List.of(), List.of(streams));
  }

  private static CheckResult check(SubscriberLog... subs) {
    return DeltaChecker.check(LOG, FINAL, List.of(subs));
  }

  @Test
  void acceptsCoalescedDeltasAcrossAReconnect() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        delta(0, 1, List.of(A1), List.of()),
                        delta(1, 3, List.of(A2, B1, C1), List.of()))),
                new DeltaStream(3, List.of(delta(3, 5, List.of(D1), List.of("/b"))))));

    assertThat(r.validity()).as(r.anomalies().toString()).isEqualTo(Validity.VALID);
    assertThat(r.count("converged")).isEqualTo(1);
    assertThat(r.count("streams")).isEqualTo(2);
    assertThat(r.count("deltas")).isEqualTo(3);
  }

  @Test
  void acceptsAResetFollowedByDeltas() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        Delta.reset(3, List.of(A2, B1, C1)),
                        delta(3, 4, List.of(), List.of("/b")),
                        delta(4, 5, List.of(D1), List.of())))));

    assertThat(r.validity()).as(r.anomalies().toString()).isEqualTo(Validity.VALID);
    assertThat(r.count("resets")).isEqualTo(1);
  }

  @Test
  void acceptsAFilteredSubscriberThatHasNothingLeftToReceive() {
    SubscriberLog onlyA =
        new SubscriberLog(
            "agent-a",
            List.of("/a"),
            List.of(
                new DeltaStream(
                    0,
                    List.of(
                        delta(0, 1, List.of(A1), List.of()),
                        delta(1, 3, List.of(A2), List.of())))));

    CheckResult r = DeltaChecker.check(LOG, FINAL, List.of(onlyA));

    assertThat(r.validity()).as(r.anomalies().toString()).isEqualTo(Validity.VALID);
  }

  @Test
  void acceptsARemovalOfAKeyCreatedAndRemovedInsideTheRangeOrItsAbsence() {
    ChangeLog log = ChangeLog.of(List.of(new Change(1, "/x", "x1"), new Change(2, "/x", null)));
    StoreSnapshot empty = new StoreSnapshot(2, Map.of());
    SubscriberLog with = sub(new DeltaStream(0, List.of(delta(0, 2, List.of(), List.of("/x")))));
    SubscriberLog without = sub(new DeltaStream(0, List.of(delta(0, 2, List.of(), List.of()))));

    assertThat(DeltaChecker.check(log, empty, List.of(with, without)).validity())
        .isEqualTo(Validity.VALID);
  }

  @Test
  void rejectsGap() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        delta(0, 1, List.of(A1), List.of()),
                        delta(2, 3, List.of(A2, C1), List.of()),
                        delta(3, 5, List.of(D1), List.of("/b"))))));

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.count("gap")).isEqualTo(1);
    assertThat(r.anomalies("gap").get(0).message())
        .contains("revisions (1, 2] were never delivered");
    // The state converged anyway (b was removed later): only the reliability check sees the gap.
    assertThat(r.count("final-state-mismatch")).isZero();
  }

  @Test
  void rejectsDuplicateAndOutOfOrderDeltas() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        delta(0, 1, List.of(A1), List.of()),
                        delta(0, 1, List.of(A1), List.of()),
                        delta(1, 3, List.of(A2, B1, C1), List.of()),
                        delta(1, 2, List.of(B1), List.of()),
                        delta(3, 5, List.of(D1), List.of("/b"))))));

    assertThat(r.count("duplicate")).isEqualTo(1);
    assertThat(r.count("out-of-order")).isEqualTo(1);
    assertThat(r.validity()).isEqualTo(Validity.INVALID);
  }

  @Test
  void rejectsARevisionSplitAcrossDeltas() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        delta(0, 2, List.of(A1, B1), List.of()),
                        delta(2, 3, List.of(A2), List.of()),
                        delta(3, 5, List.of(C1, D1), List.of("/b"))))));

    assertThat(r.count("split-revision")).isEqualTo(1);
    assertThat(r.anomalies("split-revision").get(0).message())
        .contains("misses /c from revision 3");
    assertThat(r.count("phantom-change")).isEqualTo(1); // c1 then arrives in (3, 5]
  }

  @Test
  void rejectsMissingPhantomAndWrongChanges() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        delta(0, 1, List.of(), List.of()),
                        delta(
                            1,
                            2,
                            List.of(new Upsert("/b", "bX", 2), new Upsert("/z", "z", 2)),
                            List.of("/a"))))));

    assertThat(r.count("missing-change")).isEqualTo(1);
    assertThat(r.count("wrong-value")).isEqualTo(1);
    assertThat(r.count("phantom-change")).isEqualTo(2);
    assertThat(r.count("lagging")).isEqualTo(1);
  }

  @Test
  void rejectsStreamThatDoesNotResumeRightAfterItsResumeRevision() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        delta(0, 1, List.of(A1), List.of()),
                        delta(1, 3, List.of(A2, B1, C1), List.of()))),
                new DeltaStream(3, List.of(delta(4, 5, List.of(D1), List.of())))));

    assertThat(r.count("not-resumable")).isEqualTo(1);
    assertThat(r.anomalies("not-resumable").get(0).message())
        .contains("resumed from 3 but starts after 4");
  }

  @Test
  void rejectsSubscriberThatResumesFromAnotherRevisionThanItApplied() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(0, List.of(delta(0, 3, List.of(A2, B1, C1), List.of()))),
                new DeltaStream(1, List.of(delta(1, 5, List.of(A2, C1, D1), List.of())))));

    assertThat(r.count("resume-mismatch")).isEqualTo(1);
  }

  @Test
  void rejectsWrongResetAndResetInTheMiddleOfAStream() {
    CheckResult r =
        check(
            sub(
                new DeltaStream(
                    0,
                    List.of(
                        Delta.reset(3, List.of(A2, B1)), Delta.reset(5, List.of(A2, C1, D1))))));

    assertThat(r.count("reset-mismatch")).isEqualTo(1);
    assertThat(r.anomalies("reset-mismatch").get(0).message()).contains("missing");
    assertThat(r.count("unexpected-reset")).isEqualTo(1);
    assertThat(r.count("converged")).isEqualTo(1);
  }

  @Test
  void rejectsFinalReadThatDisagreesWithTheCommittedChanges() {
    StoreSnapshot wrong = new StoreSnapshot(5, Map.of("/a", A2, "/d", D1));

    CheckResult r = DeltaChecker.check(LOG, wrong, List.of());

    assertThat(r.count("reference-mismatch")).isEqualTo(1);
    assertThat(r.validity()).isEqualTo(Validity.INVALID);
  }
}
