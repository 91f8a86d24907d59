package io.raftmesh.chaos.workload;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.chaos.history.Completion;
import java.util.EnumSet;
import java.util.Set;

/**
 * Maps gRPC answers to history outcomes. Only statuses that prove a request wrote nothing become
 * {@code fail}: the server validates before proposing (INVALID_ARGUMENT), a compare that failed
 * writes nothing (ABORTED), a refused caller or token writes nothing (UNAUTHENTICATED,
 * PERMISSION_DENIED, ALREADY_EXISTS). Everything else, UNAVAILABLE and DEADLINE_EXCEEDED included,
 * may have taken effect: it is rethrown and recorded as {@code info}.
 */
final class Outcomes {
  private static final Set<Status.Code> PROVEN_NOT_WRITTEN =
      EnumSet.of(
          Status.Code.INVALID_ARGUMENT,
          Status.Code.ABORTED,
          Status.Code.UNAUTHENTICATED,
          Status.Code.PERMISSION_DENIED,
          Status.Code.ALREADY_EXISTS);

  private Outcomes() {}

  /**
   * {@code fail} for a status proving nothing was written; otherwise {@code info}, both naming the
   * node that was asked.
   */
  static Completion failOrRethrow(StatusRuntimeException e, String node) {
    if (PROVEN_NOT_WRITTEN.contains(e.getStatus().getCode())) {
      return Completion.fail(e.getStatus().getCode() + ": " + e.getStatus().getDescription())
          .withNode(node);
    }
    return Completion.info(e.getStatus().getCode() + ": " + e.getStatus().getDescription())
        .withNode(node);
  }

  /** Whether {@code e} is NOT_FOUND. */
  static boolean notFound(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.NOT_FOUND;
  }
}
