package io.raftmesh.store.watch;

import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.ChangesResult;
import io.raftmesh.store.StoreClosedException;
import io.raftmesh.store.Watch;
import io.raftmesh.store.WatchListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process watches over the local replica's change log.
 *
 * <p>Each watch is a cursor (the last revision delivered) that reads the change log itself, in
 * pages, after the cursor: deliveries are therefore in revision order and gap-free by construction,
 * whatever happened in between (leader changes, a snapshot install, a slow listener). The apply
 * thread only calls {@link #onApplied}, which wakes the dispatcher and never blocks; reads and
 * listener calls run on a small pool, one drain at a time per watch.
 */
public final class WatchHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WatchHub.class);
  private static final int PAGE = 256;

  /** Where watches read changes from: the local replica. */
  public interface Source {
    /** Changes after {@code afterRevision}, oldest first (or compacted). */
    ChangesResult changes(long afterRevision, int limit);

    /** The replica's current revision. */
    long revision();

    /** The replica's change-log floor. */
    long compactRevision();
  }

  private final Source source;
  private final ExecutorService pool;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean dispatchPending = new AtomicBoolean();
  private volatile boolean closed;

  /** A hub reading from {@code source}, delivering on {@code threads} threads. */
  public WatchHub(Source source, String name, int threads) {
    this.source = source;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, name + "-watch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts a watch delivering every change after {@code fromRevision}. */
  public Watch watch(long fromRevision, WatchListener listener) {
    if (fromRevision < 0) {
      throw new IllegalArgumentException("fromRevision: " + fromRevision + " (expected: >= 0)");
    }
    Watcher w = new Watcher(fromRevision, listener);
    watchers.add(w);
    w.schedule();
    return w;
  }

  /** Number of running watches. */
  public int size() {
    return watchers.size();
  }

  /** Called after each apply (and after a reload): wakes watches that are behind. Never blocks. */
  public void onApplied() {
    if (closed || watchers.isEmpty() || !dispatchPending.compareAndSet(false, true)) {
      return;
    }
    try {
      pool.execute(
          () -> {
            dispatchPending.set(false);
            long revision = safeRevision();
            for (Watcher w : watchers) {
              if (w.cursor < revision) {
                w.schedule();
              }
            }
          });
    } catch (RejectedExecutionException e) {
      dispatchPending.set(false);
    }
  }

  private long safeRevision() {
    try {
      return source.revision();
    } catch (StoreClosedException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Watcher w : watchers) {
      w.close();
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private final class Watcher implements Watch {
    private final WatchListener listener;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long cursor;
    private volatile boolean ended;

    Watcher(long fromRevision, WatchListener listener) {
      this.cursor = fromRevision;
      this.listener = listener;
    }

    void schedule() {
      if (ended || !scheduled.compareAndSet(false, true)) {
        return;
      }
      try {
        pool.execute(this::drain);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
      }
    }

    private void drain() {
      try {
        while (!ended) {
          ChangesResult page = source.changes(cursor, PAGE);
          if (page.getCompacted()) {
            long floor = source.compactRevision();
            long revision = source.revision();
            end();
            listener.onCompacted(floor, revision);
            return;
          }
          for (ChangeRecord record : page.getRecordsList()) {
            if (ended) {
              return;
            }
            if (record.getRevision() != cursor + 1) {
              throw new IllegalStateException(
                  "watch: change log jumped from revision "
                      + cursor
                      + " to "
                      + record.getRevision()
                      + " (expected: "
                      + (cursor + 1)
                      + ")");
            }
            listener.onChange(record);
            cursor = record.getRevision();
          }
          if (!page.getMore()) {
            break;
          }
        }
      } catch (StoreClosedException e) {
        // The replica is reloading a snapshot; the reload calls onApplied again.
        LOG.debug("watch at revision {} paused: {}", cursor, e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn("watch at revision {} failed: {}", cursor, e.toString());
        end();
        listener.onError(e);
        return;
      } finally {
        scheduled.set(false);
      }
      if (!ended && safeRevision() > cursor) {
        schedule();
      }
    }

    private void end() {
      ended = true;
      watchers.remove(this);
    }

    @Override
    public long deliveredRevision() {
      return cursor;
    }

    @Override
    public boolean isClosed() {
      return ended;
    }

    @Override
    public void close() {
      end();
    }
  }
}
