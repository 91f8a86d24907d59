package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

/**
 * One operation as the linearizability search sees it: input, observed output and the closed
 * real-time interval {@code [call, ret]}. An operation with an unknown outcome has {@code ret ==
 * Long.MAX_VALUE}: it stays open until the end of the history.
 *
 * @param input what the client asked
 * @param output what it observed
 * @param call when it was invoked
 * @param ret when it completed, or {@code Long.MAX_VALUE}
 * @param <I> the model's input type
 * @param <O> the model's output type
 */
public record LinearOp<I, O>(I input, O output, long call, long ret) {
  /** Rejects a return before the call. */
  public LinearOp {
    requireNonNull(input, "input");
    requireNonNull(output, "output");
    if (ret < call) {
      throw new IllegalArgumentException("ret: " + ret + " (expected: >= call " + call + ")");
    }
  }
}
