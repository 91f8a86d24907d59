package io.raftmesh.chaos.validate;

import static io.raftmesh.chaos.history.Values.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.chaos.history.HistoryBuilder;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RevisionCheckerTest {
  private final RevisionChecker checker =
      RevisionChecker.withMutatingFunctions(Set.of("write", "cas"));

  private static HistoryBuilder op(
      HistoryBuilder b, long call, long ret, int p, String f, String key, long revision) {
    return b.invoke(call, p, f, key, f.equals("write") ? text("v" + call) : null)
        .ok(ret, p, f, f.equals("read") ? text("x") : null, revision);
  }

  @Test
  void acceptsRevisionsThatRiseInRealTimeAcrossKeys() {
    HistoryBuilder b = new HistoryBuilder();
    op(b, 0, 1, 0, "write", "a", 5);
    op(b, 2, 3, 1, "read", "b", 5);
    op(b, 4, 5, 0, "write", "b", 6);
    op(b, 6, 7, 1, "read", "a", 9);

    CheckResult r = checker.check(b.build());

    assertThat(r.validity()).isEqualTo(Validity.VALID);
    assertThat(r.count("ops")).isEqualTo(4);
  }

  @Test
  void allowsConcurrentOperationsToReportRevisionsInEitherOrder() {
    HistoryBuilder b = new HistoryBuilder();
    op(b, 0, 10, 0, "write", "a", 7);
    op(b, 1, 5, 1, "read", "b", 6);
    op(b, 10, 12, 2, "read", "a", 6); // touches the write's end: concurrent

    assertThat(checker.check(b.build()).validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void rejectsReadThatSeesALowerRevisionThanACompletedWrite() {
    HistoryBuilder b = new HistoryBuilder();
    op(b, 0, 1, 0, "write", "a", 8);
    op(b, 2, 3, 1, "read", "b", 7);

    CheckResult r = checker.check(b.build());

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.count("backwards")).isEqualTo(1);
    assertThat(r.anomalies().get(0).message())
        .contains("went back from 8 to 7")
        .contains("p1 read b");
  }

  @Test
  void rejectsWriteThatDoesNotAdvanceTheRevision() {
    HistoryBuilder b = new HistoryBuilder();
    op(b, 0, 1, 1, "read", "a", 4);
    op(b, 2, 3, 0, "write", "b", 4);

    CheckResult r = checker.check(b.build());

    assertThat(r.count("not-advanced")).isEqualTo(1);
    assertThat(r.validity()).isEqualTo(Validity.INVALID);
  }

  @Test
  void rejectsTwoWritesWithTheSameRevision() {
    HistoryBuilder b = new HistoryBuilder();
    op(b, 0, 10, 0, "write", "a", 4);
    op(b, 1, 9, 1, "write", "b", 4);

    CheckResult r = checker.check(b.build());

    assertThat(r.count("reused")).isEqualTo(1);
    assertThat(r.anomalies("revision-reused")).hasSize(1);
  }

  @Test
  void ignoresOperationsWithoutRevisionOrSuccess() {
    HistoryBuilder b = new HistoryBuilder();
    op(b, 0, 1, 0, "write", "a", 9);
    b.invoke(2, 1, "read", "a", null).info(3, 1, "read");
    b.invoke(4, 2, "read", "a", null).ok(5, 2, "read", text("x"));

    CheckResult r = checker.check(b.build());

    assertThat(r.validity()).isEqualTo(Validity.VALID);
    assertThat(r.count("ops")).isEqualTo(1);
  }
}
