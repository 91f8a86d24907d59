package io.raftmesh.server.rpc;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Completes a unary call from blocking handler code, mapping any failure to a status. */
public final class Unary {
  private final StatusMapping errors;

  /** Completion with {@code errors} for failures. */
  public Unary(StatusMapping errors) {
    this.errors = errors;
  }

  /** Runs {@code handler} and sends its answer, or the mapped status of what it threw. */
  public <T> void respond(StreamObserver<T> observer, Supplier<T> handler) {
    T answer;
    try {
      answer = handler.get();
    } catch (RuntimeException e) {
      observer.onError(errors.toStatus(e));
      return;
    }
    observer.onNext(answer);
    observer.onCompleted();
  }

  /** The mapping in use. */
  public StatusMapping errors() {
    return errors;
  }
}
