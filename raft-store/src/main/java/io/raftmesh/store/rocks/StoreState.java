package io.raftmesh.store.rocks;

import java.nio.ByteBuffer;

/**
 * The bookkeeping a member persists in the same WriteBatch as the data of every applied entry.
 *
 * @param appliedTerm term of the last log entry applied to RocksDB
 * @param appliedIndex index of the last log entry applied to RocksDB (the skip-on-replay bound)
 * @param revision the store's global revision
 * @param compactRevision the change-log floor: records with a revision above it are kept
 * @param logClockMillis the largest {@code proposed_at} applied so far (the deterministic clock
 *     used for expiry)
 * @param restoredRevision the revision of the backup this store was restored from (0: none)
 */
public record StoreState(
    long appliedTerm,
    long appliedIndex,
    long revision,
    long compactRevision,
    long logClockMillis,
    long restoredRevision) {

  /** The state of a freshly formatted store. */
  public static final StoreState EMPTY = new StoreState(0, 0, 0, 0, 0, 0);

  private static final int ENCODED_LENGTH = 6 * Long.BYTES;

  /** The fixed-size binary form kept in RocksDB and beside checkpoints. */
  public byte[] encode() {
    return ByteBuffer.allocate(ENCODED_LENGTH)
        .putLong(appliedTerm)
        .putLong(appliedIndex)
        .putLong(revision)
        .putLong(compactRevision)
        .putLong(logClockMillis)
        .putLong(restoredRevision)
        .array();
  }

  /** Parses {@link #encode()}. */
  public static StoreState decode(byte[] bytes) {
    if (bytes.length != ENCODED_LENGTH) {
      throw new IllegalStateException(
          "store state: " + bytes.length + " bytes (expected: " + ENCODED_LENGTH + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new StoreState(
        b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
  }

  StoreState withApplied(long term, long index) {
    return new StoreState(term, index, revision, compactRevision, logClockMillis, restoredRevision);
  }
}
