package io.raftmesh.chaos.history;

import static java.util.Objects.requireNonNull;

/** An invoked operation waiting for its completion; complete it exactly once. */
public final class PendingOp {
  private final Worker worker;
  private final Event invocation;

  PendingOp(Worker worker, Event invocation) {
    this.worker = worker;
    this.invocation = invocation;
  }

  /** The invocation event. */
  public Event invocation() {
    return invocation;
  }

  /** The operation's function. */
  public String f() {
    return invocation.f();
  }

  /** The process the operation runs under. */
  public int process() {
    return invocation.process();
  }

  /**
   * Records the completion.
   *
   * @return the completion event
   * @throws IllegalStateException if this operation was already completed
   */
  public Event complete(Completion completion) {
    return worker.complete(this, requireNonNull(completion, "completion"));
  }
}
