package io.raftmesh.agent.cli;

import io.raftmesh.agent.AgentStartException;
import io.raftmesh.agent.identity.EnrollmentException;

/**
 * Exit codes of {@code raftmesh agent}: 0 clean shutdown, 1 runtime failure, 2 usage (bad flag,
 * variable or config file, or no identity and no token), and one code per enrollment failure so
 * that provisioning scripts can tell them apart.
 */
public final class ExitCodes {
  /** Clean shutdown. */
  public static final int OK = 0;

  /** A runtime failure (data dir, data plane, damaged identity, ...). */
  public static final int FAILURE = 1;

  /** A bad command line, environment variable or config file; or a first start without a token. */
  public static final int USAGE = 2;

  /** Enrollment: no server presented a chain ending at the token's root fingerprint. */
  public static final int UNTRUSTED_SERVER = 3;

  /** Enrollment: the token was refused (unknown, used up, revoked or expired). */
  public static final int TOKEN_REFUSED = 4;

  /** Enrollment: no control server answered within the join timeout. */
  public static final int UNREACHABLE = 5;

  /** Enrollment: refused otherwise (node name taken, bad request) or a bad answer. */
  public static final int ENROLLMENT_REFUSED = 6;

  /** The stored node certificate expired: enroll again with a new token. */
  public static final int IDENTITY_EXPIRED = 7;

  private ExitCodes() {}

  static int of(EnrollmentException e) {
    return switch (e.kind()) {
      case UNTRUSTED_SERVER -> UNTRUSTED_SERVER;
      case TOKEN_REFUSED -> TOKEN_REFUSED;
      case UNREACHABLE -> UNREACHABLE;
      case REFUSED, BAD_RESPONSE -> ENROLLMENT_REFUSED;
    };
  }

  static int of(AgentStartException e) {
    return switch (e.reason()) {
      case NOT_ENROLLED -> USAGE;
      case IDENTITY ->
          e.getMessage() != null && e.getMessage().contains("expired at")
              ? IDENTITY_EXPIRED
              : FAILURE;
      case DATA_DIR, DATA_PLANE -> FAILURE;
    };
  }
}
