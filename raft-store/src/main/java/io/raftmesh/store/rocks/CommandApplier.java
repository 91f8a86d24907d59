package io.raftmesh.store.rocks;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.DeleteOp;
import io.raftmesh.proto.v1.KeyChange;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.PutOp;
import io.raftmesh.proto.v1.Retention;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.proto.v1.TxnWrite;
import io.raftmesh.proto.v1.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Turns one committed {@link StoreCommand} into one WriteBatch: the data, the change record, the
 * request-id record, retention housekeeping and the applied term/index, committed together.
 *
 * <p>Apply is a pure function of the command and the store: it reads no clock and no local
 * configuration. Time comes from the leader-stamped {@code proposed_at} (folded into a monotonic
 * log clock), limits from the leader-stamped {@link Retention}; sweeps run at log indexes that are
 * multiples of {@link #SWEEP_EVERY}, so every replica expires exactly the same records. Commands
 * reaching it are structurally valid ({@code CommandValidator} ran first); no key is written twice
 * by one command, so every read sees the state before the command.
 */
public final class CommandApplier {
  /** Request ids are kept this long when an entry carries no retention. */
  public static final Duration DEFAULT_REQUEST_RETENTION = Duration.ofMinutes(5);

  /** Housekeeping sweeps run on entries whose index is a multiple of this. */
  static final long SWEEP_EVERY = 16;

  /** At most this many records are expired or compacted by one sweep (bounds apply time). */
  static final int SWEEP_LIMIT = 512;

  /** The count limit is enforced once the log exceeds it by this much (fewer range deletes). */
  static final long COUNT_SLACK = 64;

  private final RocksStore store;

  /** An applier writing to {@code store}. */
  public CommandApplier(RocksStore store) {
    this.store = store;
  }

  /** The result of applying one entry. */
  public sealed interface Outcome {
    /** The store state after the entry. */
    StoreState state();
  }

  /** The command applied (or was a duplicate); {@code changes} is null when it wrote nothing. */
  public record Applied(StoreResult result, @Nullable ChangeRecord changes, StoreState state)
      implements Outcome {}

  /** The command was refused deterministically; only the applied index moved. */
  public record Refused(String reason, StoreState state) implements Outcome {}

  /** Applies {@code command}, committed at {@code term}/{@code index}. */
  public Outcome apply(StoreCommand command, long term, long index) {
    StoreState before = store.state();
    long clock = Math.max(before.logClockMillis(), ProtoTime.toMillis(command.getProposedAt()));
    try (WriteBatch batch = new WriteBatch()) {
      Work work = new Work(batch, before.revision(), before.compactRevision());
      StoreResult result = null;
      ChangeRecord record = null;
      String refusal = null;
      StoreResult prior = priorResult(command.getRequestId());
      if (prior != null) {
        result = prior.toBuilder().setDuplicate(true).build();
      } else {
        refusal = work.execute(command, index);
        if (refusal == null) {
          result =
              StoreResult.newBuilder()
                  .setRevision(work.revision)
                  .setSucceeded(work.succeeded)
                  .addAllWrites(work.writes)
                  .setLogIndex(index)
                  .build();
          if (!work.changes.isEmpty()) {
            record =
                ChangeRecord.newBuilder()
                    .setRevision(work.revision)
                    .addAllChanges(work.changes)
                    .setRequestId(command.getRequestId())
                    .setProposedAt(command.getProposedAt())
                    .build();
            put(batch, store.changes, Keys.revision(work.revision), record.toByteArray());
          }
          put(batch, store.requests, Keys.requestId(command.getRequestId()), result.toByteArray());
          put(batch, store.requestExpiry, Keys.expiry(clock, command.getRequestId()), new byte[0]);
        }
      }
      housekeeping(work, command.getRetention(), index, clock);
      StoreState after =
          new StoreState(term, index, work.revision, work.floor, clock, before.restoredRevision());
      store.commit(batch, after);
      if (refusal != null || result == null) {
        return new Refused(refusal == null ? "no result" : refusal, after);
      }
      return new Applied(result, record, after);
    }
  }

  /** Records that an entry without a valid StoreCommand was applied: only the index moves. */
  public Outcome refuse(String reason, long term, long index) {
    StoreState after = store.state().withApplied(term, index);
    try (WriteBatch batch = new WriteBatch()) {
      store.commit(batch, after);
    }
    return new Refused(reason, after);
  }

  static void put(WriteBatch batch, ColumnFamilyHandle family, byte[] key, byte[] value) {
    try {
      batch.put(family, key, value);
    } catch (RocksDBException e) {
      throw new RocksStore.StorageException(e);
    }
  }

  static void delete(WriteBatch batch, ColumnFamilyHandle family, byte[] key) {
    try {
      batch.delete(family, key);
    } catch (RocksDBException e) {
      throw new RocksStore.StorageException(e);
    }
  }

  private @Nullable StoreResult priorResult(String requestId) {
    if (requestId.isEmpty()) {
      return null;
    }
    byte[] raw = store.getLatest(store.requests, Keys.requestId(requestId));
    return raw == null ? null : ReadView.parse(StoreResult.parser(), raw);
  }

  private void housekeeping(Work work, Retention retention, long index, long clock) {
    long keep = retention.getChangeLogRevisions();
    if (keep > 0 && work.revision - work.floor > keep + COUNT_SLACK) {
      work.compactTo(work.revision - keep);
    }
    if (index % SWEEP_EVERY != 0) {
      return;
    }
    Duration requestTtl =
        retention.hasRequestIds() && ProtoTime.toMillis(retention.getRequestIds()) > 0
            ? Duration.ofMillis(ProtoTime.toMillis(retention.getRequestIds()))
            : DEFAULT_REQUEST_RETENTION;
    expireRequests(work.batch, clock - requestTtl.toMillis());
    if (retention.hasChangeLogAge() && ProtoTime.toMillis(retention.getChangeLogAge()) > 0) {
      long cutoff = clock - ProtoTime.toMillis(retention.getChangeLogAge());
      long newFloor = work.floor;
      try (RocksIterator it = store.iteratorLatest(store.changes)) {
        int seen = 0;
        for (it.seek(Keys.revision(work.floor + 1));
            it.isValid() && seen < SWEEP_LIMIT;
            it.next()) {
          ChangeRecord record = ReadView.parse(ChangeRecord.parser(), it.value());
          if (ProtoTime.toMillis(record.getProposedAt()) >= cutoff) {
            break;
          }
          newFloor = record.getRevision();
          seen++;
        }
      }
      work.compactTo(newFloor);
    }
  }

  private void expireRequests(WriteBatch batch, long expireBefore) {
    try (RocksIterator it = store.iteratorLatest(store.requestExpiry)) {
      int expired = 0;
      for (it.seekToFirst(); it.isValid() && expired < SWEEP_LIMIT; it.next()) {
        byte[] key = it.key();
        if (Keys.expiryTime(key) >= expireBefore) {
          break;
        }
        delete(batch, store.requests, Keys.requestId(Keys.expiryRequestId(key)));
        delete(batch, store.requestExpiry, key);
        expired++;
      }
    }
  }

  /** The mutable state of one apply: what the batch holds so far. */
  private final class Work {
    final WriteBatch batch;
    long revision;
    long floor;
    boolean succeeded = true;
    final List<WriteResult> writes = new ArrayList<>();
    final List<KeyChange> changes = new ArrayList<>();

    Work(WriteBatch batch, long revision, long floor) {
      this.batch = batch;
      this.revision = revision;
      this.floor = floor;
    }

    /** Executes the operation; returns a refusal reason, or null when it applied. */
    @Nullable String execute(StoreCommand command, long index) {
      long next = revision + 1;
      switch (command.getOpCase()) {
        case PUT -> put(command.getPut(), next);
        case DELETE -> delete(command.getDelete(), next);
        case TXN -> {
          succeeded = command.getTxn().getComparesList().stream().allMatch(this::holds);
          List<TxnWrite> branch =
              succeeded ? command.getTxn().getSuccessList() : command.getTxn().getFailureList();
          for (TxnWrite write : branch) {
            if (write.hasPut()) {
              put(write.getPut(), next);
            } else {
              delete(write.getDelete(), next);
            }
          }
        }
        case COMPACT -> {
          long target = command.getCompact().getRevision();
          if (target > revision) {
            return "compact.revision: "
                + target
                + " (expected: at most the current revision "
                + revision
                + ")";
          }
          compactTo(target);
        }
        default -> {
          return "op: not set (expected: put, delete, txn or compact) at index " + index;
        }
      }
      if (!changes.isEmpty()) {
        revision = next;
      }
      return null;
    }

    private void put(PutOp op, long next) {
      byte[] key = op.getKey().toByteArray();
      byte[] raw = store.getLatest(store.kv, key);
      KeyValue previous = raw == null ? null : ReadView.parseKv(op.getKey(), raw);
      KeyValue stored =
          KeyValue.newBuilder()
              .setValue(op.getValue())
              .setCreateRevision(previous == null ? next : previous.getCreateRevision())
              .setModRevision(next)
              .setVersion(previous == null ? 1 : previous.getVersion() + 1)
              .build();
      putKv(key, stored);
      changes.add(
          KeyChange.newBuilder()
              .setKind(KeyChange.Kind.PUT)
              .setKv(stored.toBuilder().setKey(op.getKey()))
              .build());
      WriteResult.Builder result = WriteResult.newBuilder();
      if (previous != null) {
        result.setPrevious(previous);
      }
      writes.add(result.build());
    }

    private void delete(DeleteOp op, long next) {
      long deleted = 0;
      if (op.getRangeEnd().isEmpty()) {
        if (store.getLatest(store.kv, op.getKey().toByteArray()) != null) {
          deleteKv(op.getKey(), next);
          deleted = 1;
        }
      } else {
        try (RocksIterator it = store.iteratorLatest(store.kv)) {
          for (it.seek(op.getKey().toByteArray()); it.isValid(); it.next()) {
            ByteString key = ByteString.copyFrom(it.key());
            if (!Keys.inRange(key, op.getKey(), op.getRangeEnd())) {
              break;
            }
            deleteKv(key, next);
            deleted++;
          }
        }
      }
      writes.add(WriteResult.newBuilder().setDeleted(deleted).build());
    }

    private void putKv(byte[] key, KeyValue stored) {
      CommandApplier.put(batch, store.kv, key, stored.toByteArray());
    }

    private void deleteKv(ByteString key, long next) {
      CommandApplier.delete(batch, store.kv, key.toByteArray());
      changes.add(
          KeyChange.newBuilder()
              .setKind(KeyChange.Kind.DELETE)
              .setKv(KeyValue.newBuilder().setKey(key).setModRevision(next))
              .build());
    }

    private boolean holds(Compare compare) {
      byte[] raw = store.getLatest(store.kv, compare.getKey().toByteArray());
      KeyValue kv = raw == null ? null : ReadView.parseKv(compare.getKey(), raw);
      int order;
      switch (compare.getTarget()) {
        case VALUE -> {
          if (kv == null) {
            return false; // as in etcd: a value compare on a missing key never holds
          }
          order =
              ByteString.unsignedLexicographicalComparator()
                  .compare(kv.getValue(), compare.getValue());
        }
        case MOD_REVISION ->
            order = Long.compare(kv == null ? 0 : kv.getModRevision(), compare.getRevision());
        case CREATE_REVISION ->
            order = Long.compare(kv == null ? 0 : kv.getCreateRevision(), compare.getRevision());
        case VERSION ->
            order = Long.compare(kv == null ? 0 : kv.getVersion(), compare.getVersion());
        case EXISTS -> order = (kv != null) == compare.getExists() ? 0 : 1;
        default -> {
          return false;
        }
      }
      return switch (compare.getResult()) {
        case EQUAL -> order == 0;
        case NOT_EQUAL -> order != 0;
        case LESS -> order < 0;
        case GREATER -> order > 0;
        default -> false;
      };
    }

    void compactTo(long target) {
      if (target <= floor) {
        return;
      }
      try {
        batch.deleteRange(store.changes, Keys.revision(floor + 1), Keys.revision(target + 1));
      } catch (RocksDBException e) {
        throw new RocksStore.StorageException(e);
      }
      floor = target;
    }
  }
}
