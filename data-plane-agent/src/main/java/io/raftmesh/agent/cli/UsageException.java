package io.raftmesh.agent.cli;

/** A bad command line, environment variable or config file: exit code 2. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
