package io.raftmesh.store;

/**
 * How fresh a read must be.
 *
 * <ul>
 *   <li>{@link #LINEARIZABLE} (the default): the read reflects every write acknowledged before it
 *       started. Served by any replica through Raft's ReadIndex: the replica asks the leader for
 *       its commit index, waits until it has applied that far, then reads locally.
 *   <li>{@link #stale(long)}: served from the local replica at once, without contacting the leader;
 *       it reflects at least {@code minRevision} (the call waits for the replica to catch up that
 *       far, within the request timeout). Every answer states the revision it reflects, so a caller
 *       that passes the highest revision it has seen never reads backwards.
 * </ul>
 */
public final class ReadConsistency {
  /** Linearizable reads (ReadIndex through the serving replica). */
  public static final ReadConsistency LINEARIZABLE = new ReadConsistency(true, 0);

  private final boolean linearizable;
  private final long minRevision;

  private ReadConsistency(boolean linearizable, long minRevision) {
    this.linearizable = linearizable;
    this.minRevision = minRevision;
  }

  /** A local read reflecting at least {@code minRevision} (0: whatever the replica has). */
  public static ReadConsistency stale(long minRevision) {
    if (minRevision < 0) {
      throw new IllegalArgumentException("minRevision: " + minRevision + " (expected: >= 0)");
    }
    return new ReadConsistency(false, minRevision);
  }

  /** Whether reads go through ReadIndex. */
  public boolean isLinearizable() {
    return linearizable;
  }

  /** For stale reads, the lowest revision the answer may reflect. */
  public long minRevision() {
    return minRevision;
  }

  @Override
  public String toString() {
    return linearizable ? "LINEARIZABLE" : "STALE(minRevision=" + minRevision + ")";
  }
}
