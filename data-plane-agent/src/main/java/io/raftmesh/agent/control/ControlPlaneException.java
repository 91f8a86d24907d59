package io.raftmesh.agent.control;

import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/** A call to the control plane failed: no server answered, or one refused the request. */
public final class ControlPlaneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;

  /** A failure with the gRPC status of the last attempt. */
  public ControlPlaneException(String message, Status status, @Nullable Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The status of the last attempt. */
  public Status status() {
    return status;
  }
}
