package io.raftmesh.store;

/**
 * The local replica's store is closed or reloading a snapshot from the leader. Retrying shortly is
 * safe; {@link StoreClient} does so itself for reads.
 */
public final class StoreClosedException extends StoreUnavailableException {
  private static final long serialVersionUID = 1L;

  /** A closed-store error with a message. */
  public StoreClosedException(String message) {
    super(message);
  }
}
