package io.raftmesh.store;

import io.raftmesh.proto.v1.StoreResult;

/**
 * A conditional write ({@link StoreClient#putIfModRevision}, {@link
 * StoreClient#deleteIfModRevision}) found the key at another revision than the caller expected, so
 * nothing was written.
 */
public final class CompareFailedException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final transient StoreResult result;

  /** The compare on {@code key} failed; {@code result} is the store's answer (succeeded=false). */
  public CompareFailedException(String key, long expectedModRevision, StoreResult result) {
    super(
        "mod_revision of "
            + key
            + ": not "
            + expectedModRevision
            + " at revision "
            + result.getRevision()
            + " (expected: "
            + expectedModRevision
            + ")");
    this.result = result;
  }

  /** The store's answer to the failed transaction. */
  public StoreResult result() {
    return result;
  }
}
