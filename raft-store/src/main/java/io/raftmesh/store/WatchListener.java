package io.raftmesh.store;

import io.raftmesh.proto.v1.ChangeRecord;

/**
 * Receives the changes a watch delivers. Calls for one watch never overlap and arrive in revision
 * order: the first {@link #onChange} carries the revision right after the watch's start revision,
 * each next one the revision after that, with no gap. A watch ends with {@link #onCompacted} or
 * {@link #onError}, or when it is closed.
 *
 * <p>Calls run on the store's small delivery pool: return quickly (hand the record to your own
 * queue or stream). A slow listener only falls behind; if it falls below the compaction floor it
 * gets {@link #onCompacted}.
 */
public interface WatchListener {
  /** The next applied change, in revision order. */
  void onChange(ChangeRecord record);

  /**
   * The change log no longer holds the changes this watch needs (they are at or below {@code
   * compactRevision}); the watch has ended. Start again from a full read at {@code revision}.
   */
  void onCompacted(long compactRevision, long revision);

  /** The watch ended because of an error (for example, the listener threw); it delivers no more. */
  default void onError(Throwable error) {}
}
