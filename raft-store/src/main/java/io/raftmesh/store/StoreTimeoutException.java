package io.raftmesh.store;

/**
 * A request did not complete within its deadline (or its bounded retries ran out). For a write the
 * outcome is unknown: it may still apply. Retrying with the same request id is safe, because the
 * store applies a request id at most once.
 */
public final class StoreTimeoutException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** A timeout with a message. */
  public StoreTimeoutException(String message) {
    super(message);
  }

  /** A timeout with a message and a cause. */
  public StoreTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
