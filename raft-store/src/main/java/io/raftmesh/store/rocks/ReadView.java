package io.raftmesh.store.rocks;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.ChangesResult;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.RangeQuery;
import io.raftmesh.proto.v1.RangeResult;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.store.StoreClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * A consistent view of the whole store at one revision (a RocksDB snapshot). Every answer it gives
 * reflects exactly {@link #state()}. Not thread-safe; close it when done.
 */
public final class ReadView implements AutoCloseable {
  /** Keys returned by one range query at most, also when the caller asks for more. */
  public static final int MAX_PAGE = 1000;

  private final RocksStore store;
  private final RocksDB db;
  private final Snapshot snapshot;
  private final ReadOptions options;
  private final StoreState state;
  private @Nullable RocksIterator scan;
  private boolean closed;

  ReadView(RocksStore store, RocksDB db) {
    this.store = store;
    this.db = db;
    this.snapshot = db.getSnapshot();
    this.options = new ReadOptions().setSnapshot(snapshot);
    try {
      byte[] raw = db.get(store.meta, options, Keys.STATE);
      this.state = raw == null ? StoreState.EMPTY : StoreState.decode(raw);
    } catch (RocksDBException e) {
      invalidate();
      throw new RocksStore.StorageException(e);
    }
  }

  /** The state this view reflects (its revision, floor and applied index). */
  public StoreState state() {
    return state;
  }

  /** The key's current value, revisions and version, if it exists. */
  public Optional<KeyValue> get(ByteString key) {
    return use(
        () -> {
          byte[] raw = get(store.kv, key.toByteArray());
          return raw == null ? Optional.empty() : Optional.of(parseKv(key, raw));
        });
  }

  /** Keys of the range in key order, at most {@code min(limit, MAX_PAGE)} of them. */
  public RangeResult range(RangeQuery query) {
    return use(
        () -> {
          int limit =
              query.getLimit() <= 0 || query.getLimit() > MAX_PAGE
                  ? MAX_PAGE
                  : (int) query.getLimit();
          RangeResult.Builder result = RangeResult.newBuilder();
          if (query.getRangeEnd().isEmpty()) {
            byte[] raw = get(store.kv, query.getKey().toByteArray());
            if (raw != null) {
              result.setCount(1);
              if (!query.getCountOnly()) {
                KeyValue kv = parseKv(query.getKey(), raw);
                result.addKvs(query.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
              }
            }
            return result.build();
          }
          boolean toEnd = query.getRangeEnd().equals(Keys.TO_END);
          try (Slice upper = toEnd ? null : new Slice(query.getRangeEnd().toByteArray());
              ReadOptions bounded = new ReadOptions().setSnapshot(snapshot)) {
            if (upper != null) {
              bounded.setIterateUpperBound(upper);
            }
            try (RocksIterator it = db.newIterator(store.kv, bounded)) {
              long count = 0;
              for (it.seek(query.getKey().toByteArray()); it.isValid(); it.next()) {
                if (!query.getCountOnly()) {
                  if (result.getKvsCount() == limit) {
                    result.setMore(true);
                    break;
                  }
                  KeyValue kv = parseKv(ByteString.copyFrom(it.key()), it.value());
                  result.addKvs(query.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
                }
                count++;
              }
              return result.setCount(count).build();
            }
          }
        });
  }

  /**
   * Change-log records with a revision above {@code afterRevision}, oldest first, or {@code
   * compacted} when {@code afterRevision} is below the floor.
   */
  public ChangesResult changes(long afterRevision, int limit) {
    return use(
        () -> {
          ChangesResult.Builder result = ChangesResult.newBuilder();
          if (afterRevision < state.compactRevision()) {
            return result.setCompacted(true).build();
          }
          int max = limit <= 0 || limit > MAX_PAGE ? MAX_PAGE : limit;
          try (RocksIterator it = db.newIterator(store.changes, options)) {
            for (it.seek(Keys.revision(afterRevision + 1)); it.isValid(); it.next()) {
              if (result.getRecordsCount() == max) {
                result.setMore(true);
                break;
              }
              result.addRecords(parse(ChangeRecord.parser(), it.value()));
            }
          }
          return result.build();
        });
  }

  /** The remembered first result of a request id, if it is still retained. */
  public Optional<StoreResult> request(String requestId) {
    return use(
        () -> {
          byte[] raw = get(store.requests, Keys.requestId(requestId));
          return raw == null ? Optional.empty() : Optional.of(parse(StoreResult.parser(), raw));
        });
  }

  /**
   * The next keys in key order after {@code afterKey} (from the first key when null), at most
   * {@code max}; used to stream a backup or a full dump in pages.
   */
  public List<KeyValue> scan(@Nullable ByteString afterKey, int max) {
    return use(
        () -> {
          RocksIterator it = scan;
          if (it == null) {
            it = db.newIterator(store.kv, options);
            scan = it;
          }
          List<KeyValue> page = new ArrayList<>();
          if (afterKey == null) {
            it.seekToFirst();
          } else {
            it.seek(afterKey.toByteArray());
            if (it.isValid() && ByteString.copyFrom(it.key()).equals(afterKey)) {
              it.next();
            }
          }
          for (; it.isValid() && page.size() < max; it.next()) {
            page.add(parseKv(ByteString.copyFrom(it.key()), it.value()));
          }
          return page;
        });
  }

  private byte @Nullable [] get(ColumnFamilyHandle family, byte[] key) {
    try {
      return db.get(family, options, key);
    } catch (RocksDBException e) {
      throw new RocksStore.StorageException(e);
    }
  }

  private <T> T use(Supplier<T> body) {
    return store.read(
        () -> {
          if (closed) {
            throw new StoreClosedException(
                "this view of " + store.dir() + " was closed (the store reloaded a snapshot)");
          }
          return body.get();
        });
  }

  static KeyValue parseKv(ByteString key, byte[] raw) {
    return parse(KeyValue.parser(), raw).toBuilder().setKey(key).build();
  }

  static <T> T parse(com.google.protobuf.Parser<T> parser, byte[] raw) {
    try {
      return parser.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt record in the store: " + e.getMessage(), e);
    }
  }

  /** Releases the RocksDB resources; called by close or by the store when it closes. */
  void invalidate() {
    if (closed) {
      return;
    }
    closed = true;
    if (scan != null) {
      scan.close();
    }
    options.close();
    db.releaseSnapshot(snapshot);
  }

  @Override
  public void close() {
    try {
      store.read(
          () -> {
            invalidate();
            return null;
          });
    } catch (StoreClosedException e) {
      // The store already released everything when it closed.
    } finally {
      store.forget(this);
    }
  }
}
