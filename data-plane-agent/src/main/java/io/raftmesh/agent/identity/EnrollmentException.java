package io.raftmesh.agent.identity;

import static java.util.Objects.requireNonNull;

/** Enrollment failed; {@link #kind()} says how, so the command line can pick an exit code. */
public final class EnrollmentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How enrollment failed. */
  public enum Kind {
    /** No server presented a chain ending at the root whose fingerprint the token carries. */
    UNTRUSTED_SERVER,
    /** The cluster refused the token: unknown, used up, revoked or expired. */
    TOKEN_REFUSED,
    /** The cluster refused the request otherwise (node name taken, bad request). */
    REFUSED,
    /** No server answered within the join timeout. */
    UNREACHABLE,
    /** A server answered with something the agent cannot accept (wrong identity, bad chain). */
    BAD_RESPONSE
  }

  private final Kind kind;

  /** A failure of {@code kind}. */
  public EnrollmentException(Kind kind, String message) {
    super(message);
    this.kind = requireNonNull(kind, "kind");
  }

  /** How it failed. */
  public Kind kind() {
    return kind;
  }
}
