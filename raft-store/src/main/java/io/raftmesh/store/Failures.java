package io.raftmesh.store;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;

/** Maps Ratis and transport failures to the store's exceptions, in one place. */
final class Failures {
  private Failures() {}

  static StoreException translate(Throwable error, String what) {
    Throwable t = unwrap(error);
    if (t instanceof StoreException e) {
      return e;
    }
    if (t instanceof StateMachineException sme) {
      Throwable cause = sme.getCause();
      if (cause instanceof InvalidRequestException invalid) {
        return new InvalidRequestException(String.valueOf(invalid.getMessage()));
      }
      if (cause instanceof StoreException e) {
        return e;
      }
      return new StoreException(what + ": " + sme.getMessage(), sme);
    }
    if (t instanceof RaftRetryFailureException) {
      return new StoreTimeoutException(
          what
              + ": gave up after bounded retries ("
              + t.getMessage()
              + "); the outcome is unknown, retry with the same request id",
          t);
    }
    if (t instanceof TimeoutException || t instanceof TimeoutIOException) {
      return new StoreTimeoutException(
          what
              + ": no answer within the request timeout; for a write the outcome is unknown,"
              + " retry with the same request id",
          t);
    }
    if (t instanceof AlreadyClosedException) {
      return new StoreUnavailableException(what + ": client or server closed", t);
    }
    if (t instanceof GroupMismatchException) {
      return new StoreUnavailableException(
          what + ": the server does not host this cluster (" + t.getMessage() + ")", t);
    }
    if (t instanceof IOException) {
      // NotLeader, LeaderNotReady, ReadIndex, ReadException, connection errors: all transient.
      return new StoreUnavailableException(what + ": " + t, t);
    }
    if (t instanceof StatusRuntimeException sre) {
      // The gRPC call to the leader (a ReadIndex, a forwarded request) failed in transport: a
      // killed, paused or partitioned leader. Transient, not an internal error.
      switch (sre.getStatus().getCode()) {
        case UNAVAILABLE, CANCELLED -> {
          return new StoreUnavailableException(
              what + ": leader unreachable (" + t + "); for a write the outcome is unknown", t);
        }
        case DEADLINE_EXCEEDED -> {
          return new StoreTimeoutException(
              what
                  + ": no answer from the leader in time ("
                  + t
                  + "); for a write the outcome is unknown, retry with the same request id",
              t);
        }
        default -> {
          // an unexpected status: reported as an internal error below
        }
      }
    }
    return new StoreException(what + ": " + t, t);
  }

  static RuntimeException asRuntime(Throwable t) {
    return t instanceof RuntimeException r ? r : new CompletionException(t);
  }

  static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }
}
