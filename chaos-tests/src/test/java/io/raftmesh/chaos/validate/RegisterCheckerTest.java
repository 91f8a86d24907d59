package io.raftmesh.chaos.validate;

import static io.raftmesh.chaos.history.Values.pair;
import static io.raftmesh.chaos.history.Values.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class RegisterCheckerTest {
  private final RegisterChecker checker = RegisterChecker.withTimeLimit(Duration.ofSeconds(20));

  private CheckResult check(HistoryBuilder b) {
    return checker.check(b.build());
  }

  @Test
  void acceptsSequentialWriteThenRead() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 1, 0, "write", "k", text("a"), null)
                .op(2, 3, 1, "read", "k", null, text("a")));

    assertThat(r.validity()).isEqualTo(Validity.VALID);
    assertThat(r.count("ops")).isEqualTo(2);
    assertThat(r.count("keys")).isEqualTo(1);
  }

  @Test
  void acceptsReadsOnEitherSideOfAConcurrentWrite() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 10, 0, "write", "k", text("a"), null)
                .op(2, 3, 1, "read", "k", null, text(null))
                .op(4, 5, 2, "read", "k", null, text("a")));

    assertThat(r.validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void treatsOperationsThatTouchAtAnEndpointAsConcurrent() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 5, 0, "write", "k", text("a"), null)
                .op(5, 6, 1, "read", "k", null, text(null)));

    assertThat(r.validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void rejectsStaleReadAfterAcknowledgedWrite() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 1, 0, "write", "k", text("a"), null)
                .op(2, 3, 1, "read", "k", null, text(null)));

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    Anomaly a = r.anomalies("nonlinearizable").get(0);
    assertThat(a.message())
        .contains("key k: not linearizable")
        .contains("p0 write k \"a\" -> ok")
        .contains("state after the prefix: a")
        .contains("cannot be linearized")
        .contains("p1 read k -> ok null");
  }

  @Test
  void rejectsReadOfOverwrittenValue() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 5, 0, "write", "k", text("a"), null)
                .op(6, 10, 1, "write", "k", text("b"), null)
                .op(11, 12, 2, "read", "k", null, text("a")));

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
  }

  @Test
  void rejectsReadsThatGoBackInTimeDuringALongWrite() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 100, 0, "write", "k", text("a"), null)
                .op(10, 20, 1, "read", "k", null, text("a"))
                .op(30, 40, 2, "read", "k", null, text(null)));

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
  }

  @Test
  void letsAnUnknownWriteTakeEffectLaterOrNever() {
    HistoryBuilder b =
        new HistoryBuilder()
            .invoke(0, 0, "write", "k", text("a"))
            .info(5, 0, "write")
            .op(10, 11, 1, "read", "k", null, text(null))
            .op(20, 21, 1, "read", "k", null, text("a"));
    assertThat(check(b).validity()).isEqualTo(Validity.VALID);

    HistoryBuilder never =
        new HistoryBuilder()
            .invoke(0, 0, "write", "k", text("a"))
            .info(5, 0, "write")
            .op(10, 11, 1, "read", "k", null, text(null));
    assertThat(check(never).validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void stillRejectsAnUnknownWriteThatWasSeenAndThenLost() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .invoke(0, 0, "write", "k", text("a"))
                .info(5, 0, "write")
                .op(10, 11, 1, "read", "k", null, text("a"))
                .op(20, 21, 1, "read", "k", null, text(null)));

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
  }

  @Test
  void dropsFailedWritesSoTheyMustNotBeSeen() {
    HistoryBuilder seen =
        new HistoryBuilder()
            .invoke(0, 0, "write", "k", text("a"))
            .fail(1, 0, "write")
            .op(2, 3, 1, "read", "k", null, text("a"));
    assertThat(check(seen).validity()).isEqualTo(Validity.INVALID);

    HistoryBuilder unseen =
        new HistoryBuilder()
            .invoke(0, 0, "write", "k", text("a"))
            .fail(1, 0, "write")
            .op(2, 3, 1, "read", "k", null, text(null));
    assertThat(check(unseen).validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void dropsReadsThatDidNotSucceed() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 1, 0, "write", "k", text("a"), null)
                .invoke(2, 1, "read", "k", null)
                .info(3, 1, "read")
                .invoke(4, 2, "read", "k", null)
                .fail(5, 2, "read"));

    assertThat(r.validity()).isEqualTo(Validity.VALID);
    assertThat(r.count("info")).isEqualTo(1);
    assertThat(r.count("fail")).isEqualTo(1);
  }

  @Test
  void checksCompareAndSetPreconditions() {
    HistoryBuilder good =
        new HistoryBuilder()
            .op(0, 1, 0, "write", "k", text("a"), null)
            .op(2, 3, 0, "cas", "k", pair("a", "b"), null)
            .op(4, 5, 1, "read", "k", null, text("b"));
    assertThat(check(good).validity()).isEqualTo(Validity.VALID);

    HistoryBuilder wrongPrecondition =
        new HistoryBuilder()
            .op(0, 1, 0, "write", "k", text("a"), null)
            .op(2, 3, 0, "cas", "k", pair("x", "b"), null);
    assertThat(check(wrongPrecondition).validity()).isEqualTo(Validity.INVALID);

    HistoryBuilder createIfAbsent =
        new HistoryBuilder()
            .op(0, 1, 0, "cas", "k", pair(null, "a"), null)
            .op(2, 3, 1, "read", "k", null, text("a"));
    assertThat(check(createIfAbsent).validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void unknownCasWithFalsePreconditionIsANoOp() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 1, 0, "write", "k", text("a"), null)
                .invoke(2, 1, "cas", "k", pair("x", "b"))
                .info(3, 1, "cas")
                .op(4, 5, 2, "read", "k", null, text("a")));

    assertThat(r.validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void checksKeysIndependentlyAndNamesTheBadKey() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .op(0, 1, 0, "write", "good", text("a"), null)
                .op(2, 3, 1, "read", "good", null, text("a"))
                .op(4, 5, 0, "write", "bad", text("b"), null)
                .op(6, 7, 1, "read", "bad", null, text("a")));

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.count("keys")).isEqualTo(2);
    assertThat(r.anomalies()).hasSize(1);
    assertThat(r.anomalies().get(0).message()).startsWith("key bad:");
    assertThat(r.anomalies().get(0).detail()).isNotNull();
  }

  @Test
  void dropsUnknownWritesWhoseValueNobodyObservedAndStaysFast() {
    // An outage: 30 clients each time out writing a value nobody ever reads, on one key. Without
    // pruning, each could take effect anywhere after its invocation: 30! orders to rule out.
    HistoryBuilder b = new HistoryBuilder().op(0, 1, 0, "write", "k", text("a"), null);
    for (int p = 1; p <= 30; p++) {
      b.invoke(2 + p, p, "write", "k", text("lost" + p)).info(100 + p, p, "write");
    }
    b.op(200, 201, 99, "read", "k", null, text("a"));
    b.op(202, 203, 99, "read", "k", null, text(null));

    CheckResult r = checker.check(b.build());

    assertThat(r.validity())
        .isEqualTo(Validity.INVALID); // the final read of absent is still caught
    assertThat(r.count("unknown-unobserved")).isEqualTo(30);
  }

  @Test
  void keepsUnknownWritesWhoseValueWasRead() {
    CheckResult r =
        check(
            new HistoryBuilder()
                .invoke(0, 0, "write", "k", text("a"))
                .info(1, 0, "write")
                .invoke(2, 1, "write", "k", text("b"))
                .info(3, 1, "write")
                .op(10, 11, 2, "read", "k", null, text("b"))
                .op(12, 13, 2, "read", "k", null, text("a")));

    assertThat(r.validity()).isEqualTo(Validity.VALID); // b then a: both took effect, late
    assertThat(r.count("unknown-unobserved")).isZero();
  }

  @Test
  void yieldsUnknownNotValidWhenTheTimeLimitPasses() {
    History h =
        new HistoryBuilder()
            .op(0, 1, 0, "write", "k", text("a"), null)
            .op(2, 3, 1, "read", "k", null, text("a"))
            .build();

    CheckResult r = RegisterChecker.withTimeLimit(Duration.ZERO).check(h);

    assertThat(r.validity()).isEqualTo(Validity.UNKNOWN);
    assertThat(r.notes()).anyMatch(n -> n.contains("time limit"));
  }

  @Test
  void rejectsMalformedRegisterOperations() {
    History noKey = new HistoryBuilder().op(0, 1, 0, "write", null, text("a"), null).build();
    assertThatThrownBy(() -> checker.check(noKey)).hasMessageContaining("key: null");

    History badCas = new HistoryBuilder().op(0, 1, 0, "cas", "k", text("a"), null).build();
    assertThatThrownBy(() -> checker.check(badCas)).hasMessageContaining("[expected, new]");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void acceptsRandomHistoriesThatAreLinearizableByConstruction(long seed) {
    RandomRegisterHistory g = new RandomRegisterHistory(seed, 5, 400, 4);

    CheckResult r = checker.check(g.build());

    assertThat(r.validity()).as(r.anomalies().toString()).isEqualTo(Validity.VALID);
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
  void rejectsRandomHistoriesWithOneReadOfAValueFromTheFuture(long seed) {
    RandomRegisterHistory g = new RandomRegisterHistory(seed, 5, 400, 4);
    // Corrupt the first ok read that is followed, on its key, by a write that begins after it
    // returns: reading that value would need the write to take effect before it was invoked.
    RandomRegisterHistory.Op victim = null;
    String future = null;
    for (RandomRegisterHistory.Op read : g.ops) {
      if (!read.f.equals("read") || read.unknown || victim != null) {
        continue;
      }
      for (RandomRegisterHistory.Op w : g.ops) {
        if (w.f.equals("write") && w.key.equals(read.key) && w.call > read.ret) {
          victim = read;
          future = w.value;
          break;
        }
      }
    }
    assertThat(victim).isNotNull();
    RandomRegisterHistory.Op corrupted = java.util.Objects.requireNonNull(victim);
    corrupted.readValue = future;

    CheckResult r = checker.check(g.build());

    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.anomalies().get(0).message()).contains("key " + corrupted.key + ":");
  }
}
