package io.raftmesh.store;

import io.raftmesh.proto.v1.StoreQuery;
import io.raftmesh.store.statemachine.Queries;
import io.raftmesh.store.statemachine.StoreStateMachine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/** Where a client's reads are served. */
sealed interface QueryPath {
  /** Sends an encoded {@link StoreQuery}; the future holds the encoded QueryResult. */
  CompletableFuture<ByteBuffer> read(byte[] query, boolean linearizable);

  default void close() {}

  /**
   * Reads on this member's own replica: linearizable ones through the local Raft server's ReadIndex
   * (no network hop when this member leads, one round trip to the leader otherwise), stale ones
   * straight from the local RocksDB.
   */
  final class Local implements QueryPath {
    private final RaftServer server;
    private final RaftGroupId group;
    private final StoreStateMachine stateMachine;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();

    Local(RaftServer server, RaftGroupId group, StoreStateMachine stateMachine) {
      this.server = server;
      this.group = group;
      this.stateMachine = stateMachine;
    }

    @Override
    public CompletableFuture<ByteBuffer> read(byte[] query, boolean linearizable) {
      if (!linearizable) {
        try {
          StoreQuery parsed = StoreQuery.parseFrom(query);
          return CompletableFuture.completedFuture(
              ByteBuffer.wrap(Queries.answer(stateMachine.liveStore(), parsed).toByteArray()));
        } catch (IOException | RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
      RaftClientRequest request =
          RaftClientRequest.newBuilder()
              .setClientId(clientId)
              .setServerId(server.getId())
              .setGroupId(group)
              .setCallId(callIds.incrementAndGet())
              .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(query)))
              .setType(RaftClientRequest.readRequestType())
              .build();
      try {
        return server.submitClientRequestAsync(request).thenApply(RatisStoreClient::content);
      } catch (IOException | RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  /** Reads over the network, spread round-robin over the members (all serve ReadIndex). */
  final class Remote implements QueryPath {
    private final RaftClient raft;
    private final List<RaftPeer> peers;
    private final AtomicInteger next = new AtomicInteger();

    Remote(RaftClient raft, RaftGroup group) {
      this.raft = raft;
      this.peers = List.copyOf(group.getPeers());
    }

    @Override
    public CompletableFuture<ByteBuffer> read(byte[] query, boolean linearizable) {
      RaftPeer peer = peers.get(Math.floorMod(next.getAndIncrement(), peers.size()));
      Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(query));
      try {
        return (linearizable
                // Unordered: a read must not queue behind this client's writes in Ratis's ordered
                // sliding window (the read is still linearizable: ReadIndex on the serving member).
                ? raft.async().sendReadOnlyUnordered(message, peer.getId())
                : raft.async().sendStaleRead(message, 0, peer.getId()))
            .thenApply(RatisStoreClient::content);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }
}
