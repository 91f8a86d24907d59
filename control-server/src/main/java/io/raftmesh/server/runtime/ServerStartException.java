package io.raftmesh.server.runtime;

/**
 * A control server could not start although its configuration is valid: a port is in use, the data
 * dir belongs to another cluster or member, the store could not start. The message names the
 * address or path and the reason ({@code raftmesh server} exits with code 1).
 */
public final class ServerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A start failure with its one-line explanation. */
  public ServerStartException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A start failure with its one-line explanation. */
  public ServerStartException(String message) {
    super(message);
  }
}
