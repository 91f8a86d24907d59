package io.raftmesh.chaos.history;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * A logical client thread: one operation outstanding at a time. After an {@code info} completion it
 * takes a fresh process id, because the old process's operation may still be in flight.
 */
public final class Worker {
  private final HistoryRecorder recorder;
  private int process;
  private @Nullable PendingOp pending;

  Worker(HistoryRecorder recorder, int process) {
    this.recorder = recorder;
    this.process = process;
  }

  /** The process id the next operation will be recorded under. */
  public synchronized int process() {
    return process;
  }

  /**
   * Records the invocation of an operation.
   *
   * @throws IllegalStateException if an operation of this worker is still pending
   */
  public synchronized PendingOp invoke(String f, @Nullable String key, @Nullable JsonNode value) {
    requireNonNull(f, "f");
    if (pending != null) {
      throw new IllegalStateException(
          "process " + process + ": invoke " + f + " while " + pending.f() + " is pending");
    }
    Event e = recorder.append(EventType.INVOKE, process, f, key, value, null, null, null);
    PendingOp op = new PendingOp(this, e);
    pending = op;
    return op;
  }

  synchronized Event complete(PendingOp op, Completion c) {
    if (pending != op) {
      throw new IllegalStateException(
          "process " + op.process() + ": " + op.f() + " completed twice (expected: once)");
    }
    Event invoke = op.invocation();
    Event e =
        recorder.append(
            c.type(),
            invoke.process(),
            invoke.f(),
            invoke.key(),
            c.value(),
            c.revision(),
            c.node(),
            c.error());
    pending = null;
    if (c.type() == EventType.INFO && process != Event.NEMESIS) {
      process = recorder.freshProcess();
    }
    return e;
  }
}
