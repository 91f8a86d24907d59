package io.raftmesh.store;

/**
 * Base of every error the store reports. Subclasses exist where a caller branches on them; the
 * message always names what went wrong.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with a message. */
  public StoreException(String message) {
    super(message);
  }

  /** An error with a message and a cause. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
