package io.raftmesh.chaos.traffic;

import io.raftmesh.chaos.history.Completion;

/**
 * One request to the system under test. Return {@link Completion#ok} when it took effect and {@link
 * Completion#fail} only when the protocol proves it did not (for Ratis: rejected before {@code
 * startTransaction}, or NotLeader without a log index). Throw (or return {@link Completion#info})
 * for everything else: timeouts, resets, unknown errors.
 */
@FunctionalInterface
public interface ClientCall {
  /** Performs the request. Any exception is recorded as an unknown ({@code info}) outcome. */
  Completion call() throws Exception;
}
