package io.raftmesh.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.DeleteOp;
import io.raftmesh.proto.v1.GetQuery;
import io.raftmesh.proto.v1.PutOp;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.RangeQuery;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.StoreQuery;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.proto.v1.TxnOp;
import io.raftmesh.proto.v1.TxnWrite;
import io.raftmesh.store.statemachine.Replies;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.jspecify.annotations.Nullable;

/**
 * {@link StoreClient} over a Ratis {@link RaftClient} for writes and a {@link QueryPath} for reads
 * (the local replica for a member's own client, the network for a remote one).
 */
final class RatisStoreClient implements StoreClient {
  /** Raft clients used round-robin for writes (see {@link #WRITE_CLIENTS}). */
  private final RaftClient[] writers;

  private final java.util.concurrent.atomic.AtomicInteger nextWriter =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Each Ratis client keeps one ordered window: every write waits for the ones sent before it on
   * that client, also unrelated ones. A few clients used round-robin let independent callers
   * proceed in parallel (the server batches their entries all the same).
   */
  static final int WRITE_CLIENTS = 4;

  private final RaftClient raft;
  private final QueryPath reads;
  private final Duration timeout;

  RatisStoreClient(RaftClient[] writers, QueryPath reads, Duration timeout) {
    this.writers = writers.clone();
    this.raft = writers[0];
    this.reads = reads;
    this.timeout = timeout;
  }

  static RatisStoreClient remote(
      Map<String, String> peers, String clusterId, @Nullable RaftTls tls, Duration timeout) {
    for (Map.Entry<String, String> e : peers.entrySet()) {
      StoreConfig.checkAddress("peers[" + e.getKey() + "]", e.getValue());
    }
    RaftGroup group = RaftGroup.valueOf(RaftSetup.groupId(clusterId), RaftSetup.peers(peers));
    RaftClient[] writers = newRaftClients(group, tls, timeout);
    return new RatisStoreClient(writers, new QueryPath.Remote(writers[0], group), timeout);
  }

  static RaftClient[] newRaftClients(RaftGroup group, @Nullable RaftTls tls, Duration timeout) {
    RaftClient[] clients = new RaftClient[WRITE_CLIENTS];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = newRaftClient(group, tls, timeout);
    }
    return clients;
  }

  static RaftClient newRaftClient(RaftGroup group, @Nullable RaftTls tls, Duration timeout) {
    Duration attempt =
        timeout.compareTo(Duration.ofSeconds(3)) < 0 ? timeout : Duration.ofSeconds(3);
    return RaftClient.newBuilder()
        .setRaftGroup(group)
        .setProperties(RaftSetup.clientProperties(attempt))
        .setParameters(RaftSetup.parameters(tls))
        .setRetryPolicy(RaftSetup.retryPolicy(timeout))
        .build();
  }

  RaftClient raft() {
    return raft;
  }

  @Override
  public CompletableFuture<StoreResult> put(String requestId, ByteString key, ByteString value) {
    return submit(
        StoreCommand.newBuilder()
            .setRequestId(requestId)
            .setPut(PutOp.newBuilder().setKey(key).setValue(value))
            .build());
  }

  @Override
  public CompletableFuture<StoreResult> delete(String requestId, ByteString key) {
    return deleteRange(requestId, key, ByteString.EMPTY);
  }

  @Override
  public CompletableFuture<StoreResult> deleteRange(
      String requestId, ByteString key, ByteString rangeEnd) {
    return submit(
        StoreCommand.newBuilder()
            .setRequestId(requestId)
            .setDelete(DeleteOp.newBuilder().setKey(key).setRangeEnd(rangeEnd))
            .build());
  }

  @Override
  public CompletableFuture<StoreResult> txn(String requestId, TxnOp txn) {
    return submit(StoreCommand.newBuilder().setRequestId(requestId).setTxn(txn).build());
  }

  @Override
  public CompletableFuture<StoreResult> putIfModRevision(
      String requestId, ByteString key, ByteString value, long expectedModRevision) {
    TxnWrite write =
        TxnWrite.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)).build();
    return conditional(requestId, key, expectedModRevision, write);
  }

  @Override
  public CompletableFuture<StoreResult> deleteIfModRevision(
      String requestId, ByteString key, long expectedModRevision) {
    TxnWrite write = TxnWrite.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key)).build();
    return conditional(requestId, key, expectedModRevision, write);
  }

  private CompletableFuture<StoreResult> conditional(
      String requestId, ByteString key, long expected, TxnWrite write) {
    TxnOp txn =
        TxnOp.newBuilder()
            .addCompares(
                Compare.newBuilder()
                    .setKey(key)
                    .setTarget(Compare.Target.MOD_REVISION)
                    .setResult(Compare.Result.EQUAL)
                    .setRevision(expected))
            .addSuccess(write)
            .build();
    return txn(requestId, txn)
        .thenApply(
            result -> {
              if (!result.getSucceeded()) {
                throw new CompareFailedException(printable(key), expected, result);
              }
              return result;
            });
  }

  @Override
  public CompletableFuture<StoreResult> compact(String requestId, long revision) {
    return submit(
        StoreCommand.newBuilder()
            .setRequestId(requestId)
            .setCompact(io.raftmesh.proto.v1.CompactOp.newBuilder().setRevision(revision))
            .build());
  }

  @Override
  public CompletableFuture<StoreResult> submit(StoreCommand command) {
    if (command.getRequestId().isEmpty()) {
      return CompletableFuture.failedFuture(
          new InvalidRequestException("request_id: empty (expected: a unique id per request)"));
    }
    String op = command.getOpCase().name().toLowerCase(java.util.Locale.ROOT);
    Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(command.toByteArray()));
    CompletableFuture<StoreResult> future;
    try {
      future = raft.async().send(message).thenApply(reply -> Replies.decode(content(reply)));
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    return deadline(future, op + " " + command.getRequestId());
  }

  @Override
  public CompletableFuture<QueryResult> get(ByteString key, ReadConsistency consistency) {
    return query(
        StoreQuery.newBuilder().setGet(GetQuery.newBuilder().setKey(key)).build(), consistency);
  }

  @Override
  public CompletableFuture<QueryResult> range(RangeQuery query, ReadConsistency consistency) {
    return query(StoreQuery.newBuilder().setRange(query).build(), consistency);
  }

  @Override
  public CompletableFuture<QueryResult> query(StoreQuery query, ReadConsistency consistency) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String op = query.getQueryCase().name().toLowerCase(java.util.Locale.ROOT);
    byte[] bytes = query.toByteArray();
    CompletableFuture<QueryResult> future =
        retrying(
            () ->
                reads
                    .read(bytes, consistency.isLinearizable())
                    .thenApply(RatisStoreClient::parseQueryResult)
                    .thenApply(
                        r -> {
                          if (r.getRevision() < consistency.minRevision()) {
                            throw new StoreUnavailableException(
                                "replica at revision "
                                    + r.getRevision()
                                    + " (expected: at least "
                                    + consistency.minRevision()
                                    + ")");
                          }
                          return r;
                        }),
            deadline,
            0);
    return deadline(future, op);
  }

  /** Retries retryable read failures with backoff until {@code deadline}. */
  private static <T> CompletableFuture<T> retrying(
      Supplier<CompletableFuture<T>> attempt, long deadline, int tries) {
    CompletableFuture<T> first;
    try {
      first = attempt.get();
    } catch (RuntimeException e) {
      first = CompletableFuture.failedFuture(e);
    }
    return first.exceptionallyCompose(
        error -> {
          StoreException t = Failures.translate(error, "read");
          long delayMs = Math.min(200, 5L << Math.min(tries, 6));
          if (t instanceof StoreUnavailableException
              && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) < deadline) {
            return CompletableFuture.runAsync(
                    () -> {}, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> retrying(attempt, deadline, tries + 1));
          }
          return CompletableFuture.failedFuture(t);
        });
  }

  private <T> CompletableFuture<T> deadline(CompletableFuture<T> future, String what) {
    return future
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (value, error) -> {
              if (error != null) {
                throw Failures.translate(error, what);
              }
              return value;
            });
  }

  static ByteBuffer content(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      Exception e = reply.getException();
      throw Failures.asRuntime(
          e != null ? e : new StoreException("request failed without a reason: " + reply));
    }
    return reply.getMessage().getContent().asReadOnlyByteBuffer();
  }

  private static QueryResult parseQueryResult(ByteBuffer bytes) {
    try {
      return QueryResult.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("malformed QueryResult from the store: " + e.getMessage(), e);
    }
  }

  static String printable(ByteString key) {
    return key.isValidUtf8() && key.size() <= 256
        ? "\"" + key.toStringUtf8() + "\""
        : "<" + key.size() + " bytes>";
  }

  @Override
  public void close() {
    reads.close();
    for (RaftClient writer : writers) {
      try {
        writer.close();
      } catch (java.io.IOException e) {
        throw new StoreException("closing a Raft client: " + e.getMessage(), e);
      }
    }
  }
}
