package io.raftmesh.store;

/**
 * The change log no longer holds changes after the requested revision: they were compacted. The
 * caller must start again from a full read at a current revision, then ask for changes after it.
 */
public final class CompactedException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final long requestedRevision;
  private final long compactRevision;

  /** Changes after {@code requestedRevision} are gone; the floor is {@code compactRevision}. */
  public CompactedException(long requestedRevision, long compactRevision) {
    super(
        "revision: "
            + requestedRevision
            + " (expected: at least the compaction floor "
            + compactRevision
            + ")");
    this.requestedRevision = requestedRevision;
    this.compactRevision = compactRevision;
  }

  /** The revision the caller asked for changes after. */
  public long requestedRevision() {
    return requestedRevision;
  }

  /** The floor: changes with a revision above it are still kept. */
  public long compactRevision() {
    return compactRevision;
  }
}
