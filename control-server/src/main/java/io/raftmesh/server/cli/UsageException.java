package io.raftmesh.server.cli;

/**
 * The command line, environment or config file was wrong: exit code 2, with a message of the form
 * {@code NAME=value is not valid: reason}.
 */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A usage error with its one-line explanation. */
  public UsageException(String message) {
    super(message);
  }
}
