package io.raftmesh.agent;

import static java.util.Objects.requireNonNull;

/** The agent cannot start; {@link #reason()} lets the command line pick an exit code. */
public final class AgentStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** No stored identity and no join token: a usage error. */
    NOT_ENROLLED,
    /** The stored identity is unusable (another node's, expired, damaged). */
    IDENTITY,
    /** The data directory is unusable or used by another agent. */
    DATA_DIR,
    /** The data plane did not start. */
    DATA_PLANE
  }

  private final Reason reason;

  /** A failure for {@code reason}. */
  public AgentStartException(Reason reason, String message) {
    super(message);
    this.reason = requireNonNull(reason, "reason");
  }

  /** A failure for {@code reason} caused by {@code cause}. */
  public AgentStartException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = requireNonNull(reason, "reason");
  }

  /** Why. */
  public Reason reason() {
    return reason;
  }
}
