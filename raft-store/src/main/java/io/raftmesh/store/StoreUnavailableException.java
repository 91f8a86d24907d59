package io.raftmesh.store;

/**
 * The store cannot serve the request now: no leader, a leader that is not ready yet, a replica that
 * is reloading, or a closed client. Nothing was applied by the failed attempt unless the message
 * says the outcome is unknown.
 */
public class StoreUnavailableException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** An unavailability error with a message. */
  public StoreUnavailableException(String message) {
    super(message);
  }

  /** An unavailability error with a message and a cause. */
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
