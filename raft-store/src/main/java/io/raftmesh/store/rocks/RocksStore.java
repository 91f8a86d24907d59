package io.raftmesh.store.rocks;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.raftmesh.store.StoreClosedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live RocksDB of one member.
 *
 * <p>Column families: {@code kv} (user key to {@code KeyValue} without its key), {@code changes}
 * (revision to {@code ChangeRecord}), {@code requests} (request id to its first {@code
 * StoreResult}), {@code request_expiry} (first-applied time and id, for deterministic expiry) and
 * {@code meta} (one {@link StoreState}). The only writer is the apply thread, through {@link
 * #commit}; every commit is one WriteBatch holding data and the applied term/index together. The
 * WAL is on and writes are not fsynced: the Raft log is the durable source, and RocksDB recovers to
 * a prefix of whole batches, so the applied index never runs ahead of the data it describes.
 *
 * <p>Readers may run concurrently with the writer and with each other; {@link #close} waits for
 * in-flight reads, invalidates open views, and makes later calls fail with {@link
 * StoreClosedException} (a retryable condition: the member reopens a store after a snapshot
 * install).
 */
public final class RocksStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RocksStore.class);

  static {
    RocksDB.loadLibrary();
  }

  private static final List<String> FAMILIES =
      List.of("default", "kv", "changes", "requests", "request_expiry", "meta");

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  final ColumnFamilyHandle kv;
  final ColumnFamilyHandle changes;
  final ColumnFamilyHandle requests;
  final ColumnFamilyHandle requestExpiry;
  final ColumnFamilyHandle meta;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Set<ReadView> openViews = ConcurrentHashMap.newKeySet();
  private volatile StoreState state;
  private volatile boolean closed;

  private RocksStore(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    this.dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setAtomicFlush(true)
            .setMaxBackgroundJobs(2)
            .setKeepLogFileNum(4);
    this.cfOptions = new ColumnFamilyOptions().optimizeLevelStyleCompaction();
    this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (String name : FAMILIES) {
      descriptors.add(new ColumnFamilyDescriptor(name.getBytes(UTF_8), cfOptions));
    }
    this.handles = new ArrayList<>();
    try {
      this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      cfOptions.close();
      dbOptions.close();
      writeOptions.close();
      throw new IOException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
    }
    this.kv = handles.get(1);
    this.changes = handles.get(2);
    this.requests = handles.get(3);
    this.requestExpiry = handles.get(4);
    this.meta = handles.get(5);
    try {
      byte[] raw = db.get(meta, Keys.STATE);
      this.state = raw == null ? StoreState.EMPTY : StoreState.decode(raw);
    } catch (RocksDBException e) {
      close();
      throw new IOException("cannot read the store state in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Opens (creating if missing) the live store in {@code dir}. */
  public static RocksStore open(Path dir) throws IOException {
    return new RocksStore(dir);
  }

  /**
   * Reads the state recorded in a store directory without changing anything there (a read-only
   * open), e.g. to compare a checkpoint with the live DB.
   */
  public static StoreState peekState(Path dir) throws IOException {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    List<ColumnFamilyHandle> opened = new ArrayList<>();
    try (ColumnFamilyOptions cf = new ColumnFamilyOptions();
        DBOptions options = new DBOptions()) {
      for (String name : FAMILIES) {
        descriptors.add(new ColumnFamilyDescriptor(name.getBytes(UTF_8), cf));
      }
      try (RocksDB readOnly = RocksDB.openReadOnly(options, dir.toString(), descriptors, opened)) {
        byte[] raw = readOnly.get(opened.get(5), Keys.STATE);
        return raw == null ? StoreState.EMPTY : StoreState.decode(raw);
      } finally {
        for (ColumnFamilyHandle h : opened) {
          h.close();
        }
      }
    } catch (RocksDBException e) {
      throw new IOException("cannot read the store state in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The directory of this store. */
  public Path dir() {
    return dir;
  }

  /** The state as of the last commit. */
  public StoreState state() {
    return state;
  }

  /** Commits one applied entry. Called by the apply thread only. */
  void commit(WriteBatch batch, StoreState newState) {
    CommandApplier.put(batch, meta, Keys.STATE, newState.encode());
    read(
        () -> {
          try {
            db.write(writeOptions, batch);
          } catch (RocksDBException e) {
            throw new StorageException(e);
          }
          state = newState;
          return null;
        });
  }

  /**
   * Loads a logical backup into this (empty) store: every key as it was at {@code revision}, an
   * empty change log with its floor at {@code revision}, and applied index 0 (the restored
   * cluster's Raft log starts fresh).
   *
   * @return the number of keys loaded
   */
  public long restore(java.util.Iterator<io.raftmesh.proto.v1.KeyValue> kvs, long revision) {
    if (!state.equals(StoreState.EMPTY)) {
      throw new IllegalStateException("restore into " + dir + ": store is not empty " + state);
    }
    long count = 0;
    WriteBatch batch = new WriteBatch();
    try {
      while (kvs.hasNext()) {
        io.raftmesh.proto.v1.KeyValue kv = kvs.next();
        if (kv.getKey().isEmpty() || kv.getModRevision() > revision || kv.getModRevision() < 1) {
          throw new IllegalArgumentException(
              "backup key "
                  + kv.getKey().toStringUtf8()
                  + ": mod_revision "
                  + kv.getModRevision()
                  + " (expected: 1.."
                  + revision
                  + ", non-empty key)");
        }
        CommandApplier.put(
            batch,
            this.kv,
            kv.getKey().toByteArray(),
            kv.toBuilder().clearKey().build().toByteArray());
        count++;
        if (batch.count() >= 1000) {
          commit(batch, state);
          batch.close();
          batch = new WriteBatch();
        }
      }
      commit(batch, new StoreState(0, 0, revision, revision, 0, revision));
    } finally {
      batch.close();
    }
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      throw new StorageException(e);
    }
    return count;
  }

  /** Opens a consistent view of the whole store (a RocksDB snapshot); close it when done. */
  public ReadView openView() {
    return read(
        () -> {
          ReadView view = new ReadView(this, db);
          openViews.add(view);
          return view;
        });
  }

  void forget(ReadView view) {
    openViews.remove(view);
  }

  /** Reads the latest value of {@code key} in {@code family} (apply thread: no snapshot needed). */
  byte @Nullable [] getLatest(ColumnFamilyHandle family, byte[] key) {
    return read(
        () -> {
          try {
            return db.get(family, key);
          } catch (RocksDBException e) {
            throw new StorageException(e);
          }
        });
  }

  /** An iterator over the latest data of a family; the caller closes it before returning. */
  RocksIterator iteratorLatest(ColumnFamilyHandle family) {
    return read(() -> db.newIterator(family));
  }

  /**
   * Creates a RocksDB checkpoint (hard-linked SST files plus copies of the rest) in {@code target},
   * which must not exist yet.
   */
  public void checkpoint(Path target) throws IOException {
    try {
      read(
          () -> {
            try (Checkpoint checkpoint = Checkpoint.create(db)) {
              checkpoint.createCheckpoint(target.toString());
            } catch (RocksDBException e) {
              throw new StorageException(e);
            }
            return null;
          });
    } catch (StorageException e) {
      throw new IOException("cannot checkpoint " + dir + " to " + target, e.getCause());
    }
  }

  /** Runs {@code body} under the read lock, failing if the store is closed. */
  <T> T read(Supplier<T> body) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new StoreClosedException("the local store at " + dir + " is closed or reloading");
      }
      return body.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (ReadView view : List.copyOf(openViews)) {
        view.invalidate();
      }
      openViews.clear();
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        LOG.warn("store={} cannot sync the WAL before closing: {}", dir, e.getMessage());
      }
      for (ColumnFamilyHandle handle : handles) {
        handle.close();
      }
      db.close();
      cfOptions.close();
      dbOptions.close();
      writeOptions.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A RocksDB failure on the apply path or in a read; never a business error. */
  public static final class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StorageException(RocksDBException cause) {
      super("RocksDB: " + cause.getMessage(), cause);
    }
  }
}
