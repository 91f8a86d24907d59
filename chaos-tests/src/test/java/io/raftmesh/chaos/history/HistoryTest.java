package io.raftmesh.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

  private static Event ev(long index, long time, EventType type, int process, String f) {
    return new Event(index, time, type, process, f, "k", null, null, null, null);
  }

  @Test
  void pairsInvocationsWithCompletionsOfTheSameProcess() {
    History h =
        History.of(
            List.of(
                ev(0, 0, EventType.INVOKE, 0, "write"),
                ev(1, 1, EventType.INVOKE, 1, "read"),
                ev(2, 2, EventType.OK, 1, "read"),
                ev(3, 3, EventType.FAIL, 0, "write")));

    List<Operation> ops = h.clientOperations();

    assertThat(ops).hasSize(2);
    assertThat(ops.get(0).f()).isEqualTo("write");
    assertThat(ops.get(0).isFail()).isTrue();
    assertThat(ops.get(0).invokeTime()).isZero();
    assertThat(ops.get(0).completeTime()).isEqualTo(3);
    assertThat(ops.get(1).isOk()).isTrue();
    assertThat(ops.get(1).latencyNanos()).isEqualTo(1);
  }

  @Test
  void leavesOperationsOpenAtTheEndOfTheHistoryAsUnknownForever() {
    History h = History.of(List.of(ev(0, 5, EventType.INVOKE, 0, "write")));

    Operation op = h.clientOperations().get(0);

    assertThat(op.isUnknown()).isTrue();
    assertThat(op.isCompleted()).isFalse();
    assertThat(op.completeTime()).isEqualTo(Long.MAX_VALUE);
    assertThat(op.latencyNanos()).isEqualTo(-1);
  }

  @Test
  void rejectsCompletionWithoutInvocation() {
    assertThatThrownBy(() -> History.of(List.of(ev(0, 0, EventType.OK, 3, "read"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event 0")
        .hasMessageContaining("process 3");
  }

  @Test
  void rejectsSecondInvocationWhileOneIsPending() {
    assertThatThrownBy(
            () ->
                History.of(
                    List.of(
                        ev(0, 0, EventType.INVOKE, 0, "read"),
                        ev(1, 1, EventType.INVOKE, 0, "read"))))
        .hasMessageContaining("event 1")
        .hasMessageContaining("no operation already pending");
  }

  @Test
  void rejectsProcessReuseAfterInfo() {
    assertThatThrownBy(
            () ->
                History.of(
                    List.of(
                        ev(0, 0, EventType.INVOKE, 0, "write"),
                        ev(1, 1, EventType.INFO, 0, "write"),
                        ev(2, 2, EventType.INVOKE, 0, "read"))))
        .hasMessageContaining("a fresh process after an info");
  }

  @Test
  void letsTheNemesisContinueAfterInfo() {
    History h =
        History.of(
            List.of(
                ev(0, 0, EventType.INVOKE, Event.NEMESIS, "start-kill"),
                ev(1, 1, EventType.INFO, Event.NEMESIS, "start-kill"),
                ev(2, 2, EventType.INVOKE, Event.NEMESIS, "stop-kill"),
                ev(3, 3, EventType.INFO, Event.NEMESIS, "stop-kill")));

    assertThat(h.nemesisOperations()).hasSize(2);
    assertThat(h.clientOperations()).isEmpty();
  }

  @Test
  void rejectsTimeGoingBackwards() {
    assertThatThrownBy(
            () ->
                History.of(
                    List.of(
                        ev(0, 10, EventType.INVOKE, 0, "read"), ev(1, 9, EventType.OK, 0, "read"))))
        .hasMessageContaining("time 9");
  }

  @Test
  void rejectsCompletionOfAnotherFunction() {
    assertThatThrownBy(
            () ->
                History.of(
                    List.of(
                        ev(0, 0, EventType.INVOKE, 0, "read"), ev(1, 1, EventType.OK, 0, "write"))))
        .hasMessageContaining("f write")
        .hasMessageContaining("the invoked function read");
  }

  @Test
  void rejectsMalformedEvents() {
    assertThatThrownBy(() -> ev(0, -1, EventType.OK, 0, "read"))
        .hasMessage("time: -1 (expected: >= 0)");
    assertThatThrownBy(() -> ev(0, 0, EventType.OK, -2, "read"))
        .hasMessage("process: -2 (expected: >= -1)");
    assertThatThrownBy(() -> ev(0, 0, EventType.OK, 0, ""))
        .hasMessage("f: \"\" (expected: a function name)");
  }
}
