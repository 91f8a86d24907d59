package io.raftmesh.chaos.model;

import org.jspecify.annotations.Nullable;

/**
 * A sequential specification the linearizability search replays operations against (Porcupine's
 * {@code Model}).
 *
 * <p>Invariants: {@link #step} is a pure function; states are immutable values whose {@code equals}
 * and {@code hashCode} say when two states behave the same (the search caches explored
 * configurations by them).
 *
 * @param <S> the state
 * @param <I> an operation's input
 * @param <O> an operation's observed output
 */
public interface Model<S, I, O> {
  /** The state before any operation. */
  S init();

  /**
   * Applies one operation.
   *
   * @return the state after the operation, or {@code null} if the operation with this output is
   *     impossible in {@code state}
   */
  @Nullable S step(S state, I input, O output);

  /** Human form of one operation for counter-examples. */
  default String describe(I input, O output) {
    return input + " -> " + output;
  }
}
