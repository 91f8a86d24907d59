package io.raftmesh.store;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.RangeQuery;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.StoreQuery;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.proto.v1.TxnOp;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Asynchronous access to the store. Thread-safe; share one per process.
 *
 * <p>Writes go through Raft to the leader: leader redirects and transient failures are retried
 * inside the call (bounded, with exponential backoff) until the request timeout. Every write
 * carries a caller-chosen request id: the store applies an id at most once and answers a repeat
 * with the first result ({@link StoreResult#getDuplicate()} is then true), so retrying after a
 * {@link StoreTimeoutException} with the same id, even from another client or process, is safe.
 * Request ids are remembered for {@link StoreConfig#requestIdRetention()} (5 minutes by default).
 *
 * <p>Futures fail with {@link InvalidRequestException} (nothing was written), {@link
 * StoreTimeoutException} (outcome unknown for writes), {@link StoreUnavailableException} (no leader
 * or closed), {@link CompareFailedException} (the conditional helpers), or {@link StoreException}.
 */
public interface StoreClient extends AutoCloseable {

  /**
   * A client for a cluster reached over the network (for tools and benchmarks; a member's own
   * client is {@link StoreMember#client()}).
   *
   * @param peers member id to Raft address {@code host:port}
   * @param clusterId the cluster's id ({@link StoreConfig#clusterId()})
   * @param tls mutual TLS, required when the members use it
   * @param requestTimeout overall deadline of each call
   */
  static StoreClient connect(
      Map<String, String> peers, String clusterId, @Nullable RaftTls tls, Duration requestTimeout) {
    return RatisStoreClient.remote(peers, clusterId, tls, requestTimeout);
  }

  /** A fresh random request id. */
  static String newRequestId() {
    return UUID.randomUUID().toString();
  }

  /** Writes {@code value} at {@code key}. */
  CompletableFuture<StoreResult> put(String requestId, ByteString key, ByteString value);

  /** Deletes {@code key} (the result's write says how many keys went: 0 or 1). */
  CompletableFuture<StoreResult> delete(String requestId, ByteString key);

  /** Deletes every key in [key, rangeEnd); a range end of a single zero byte means to the end. */
  CompletableFuture<StoreResult> deleteRange(String requestId, ByteString key, ByteString rangeEnd);

  /**
   * Runs a transaction: if every compare holds, the success writes, else the failure writes, in one
   * revision. {@link StoreResult#getSucceeded()} says which branch ran.
   */
  CompletableFuture<StoreResult> txn(String requestId, TxnOp txn);

  /**
   * Writes {@code value} only if {@code key}'s mod revision is {@code expectedModRevision} (0: only
   * if absent); fails with {@link CompareFailedException} otherwise.
   */
  CompletableFuture<StoreResult> putIfModRevision(
      String requestId, ByteString key, ByteString value, long expectedModRevision);

  /** Deletes {@code key} only if its mod revision is {@code expectedModRevision}. */
  CompletableFuture<StoreResult> deleteIfModRevision(
      String requestId, ByteString key, long expectedModRevision);

  /** Drops change-log records at or below {@code revision}. */
  CompletableFuture<StoreResult> compact(String requestId, long revision);

  /** Submits a prepared command (its request id must be set). */
  CompletableFuture<StoreResult> submit(StoreCommand command);

  /** Reads one key; the result's {@code kv} is absent when the key does not exist. */
  default CompletableFuture<QueryResult> get(ByteString key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  /** Reads one key with the given consistency. */
  CompletableFuture<QueryResult> get(ByteString key, ReadConsistency consistency);

  /** Reads a key range (see {@link RangeQuery}: limit, keys only, count only). */
  CompletableFuture<QueryResult> range(RangeQuery query, ReadConsistency consistency);

  /** Runs any query. */
  CompletableFuture<QueryResult> query(StoreQuery query, ReadConsistency consistency);

  /** Releases connections; pending calls fail with {@link StoreUnavailableException}. */
  @Override
  void close();
}
