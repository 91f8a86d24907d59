package io.raftmesh.server.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.DeleteOp;
import io.raftmesh.proto.v1.PutOp;
import io.raftmesh.proto.v1.TxnOp;
import io.raftmesh.proto.v1.TxnWrite;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds one store transaction: compares on what the caller read, then the writes that depend on
 * it. Compares on the same key collapse to the first (a key read once has one revision). Not
 * thread-safe.
 */
public final class Transaction {
  private final Map<ByteString, Compare> compares = new LinkedHashMap<>();
  private final TxnOp.Builder txn = TxnOp.newBuilder();

  /** Holds only if {@code key}'s mod revision is {@code modRevision} (0: the key is absent). */
  public Transaction unchanged(ByteString key, long modRevision) {
    compares.putIfAbsent(
        key,
        Compare.newBuilder()
            .setKey(key)
            .setTarget(Compare.Target.MOD_REVISION)
            .setResult(Compare.Result.EQUAL)
            .setRevision(modRevision)
            .build());
    return this;
  }

  /** Holds only if {@code key} is absent. */
  public Transaction absent(ByteString key) {
    return unchanged(key, 0);
  }

  /** Writes {@code value} at {@code key} when every compare holds. */
  public Transaction put(ByteString key, ByteString value) {
    txn.addSuccess(
        TxnWrite.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)).build());
    return this;
  }

  /** Writes a message at {@code key}. */
  public Transaction put(ByteString key, MessageLite value) {
    return put(key, value.toByteString());
  }

  /** Deletes {@code key} when every compare holds. */
  public Transaction delete(ByteString key) {
    txn.addSuccess(TxnWrite.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key)).build());
    return this;
  }

  /** Deletes every key in [{@code key}, {@code rangeEnd}) when every compare holds. */
  public Transaction deleteRange(ByteString key, ByteString rangeEnd) {
    txn.addSuccess(
        TxnWrite.newBuilder()
            .setDelete(DeleteOp.newBuilder().setKey(key).setRangeEnd(rangeEnd))
            .build());
    return this;
  }

  /** Whether any write was added. */
  public boolean hasWrites() {
    return txn.getSuccessCount() > 0;
  }

  /** The transaction. */
  public TxnOp build() {
    return txn.clone().addAllCompares(compares.values()).build();
  }
}
