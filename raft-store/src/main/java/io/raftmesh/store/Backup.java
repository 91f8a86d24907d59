package io.raftmesh.store;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.store.rocks.ReadView;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Every key of the local replica at one revision, in key order, read from a RocksDB snapshot in
 * pages (writes continue meanwhile and are not seen). Feed it to a logical backup stream and
 * restore it with {@link StoreRestore}. If the member reloads a snapshot from the leader during the
 * backup, iteration fails with {@link StoreClosedException}: start again.
 */
public final class Backup implements Iterator<KeyValue>, AutoCloseable {
  private static final int PAGE = 512;

  private final ReadView view;
  private final ArrayDeque<KeyValue> page = new ArrayDeque<>();
  private @Nullable ByteString lastKey;
  private boolean exhausted;

  Backup(ReadView view) {
    this.view = view;
  }

  /** The revision every key of this backup reflects. */
  public long revision() {
    return view.state().revision();
  }

  /** The change-log floor at that revision. */
  public long compactRevision() {
    return view.state().compactRevision();
  }

  @Override
  public boolean hasNext() {
    if (page.isEmpty() && !exhausted) {
      var next = view.scan(lastKey, PAGE);
      if (next.size() < PAGE) {
        exhausted = true;
      }
      page.addAll(next);
      if (!next.isEmpty()) {
        lastKey = next.get(next.size() - 1).getKey();
      }
    }
    return !page.isEmpty();
  }

  @Override
  public KeyValue next() {
    if (!hasNext()) {
      throw new NoSuchElementException("backup at revision " + revision() + " is complete");
    }
    return page.removeFirst();
  }

  @Override
  public void close() {
    view.close();
  }
}
