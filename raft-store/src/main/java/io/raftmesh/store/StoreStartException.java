package io.raftmesh.store;

/**
 * A member could not start: a bad or foreign data dir, a port already in use, or storage that
 * cannot be opened. The message names the member, the path or address, and the reason.
 */
public final class StoreStartException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** A start failure with a message. */
  public StoreStartException(String message) {
    super(message);
  }

  /** A start failure with a message and a cause. */
  public StoreStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
