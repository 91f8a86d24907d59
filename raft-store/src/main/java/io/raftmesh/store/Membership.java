package io.raftmesh.store;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes who is in the cluster. A new member must first be started with {@link
 * StoreConfig#joinExisting()} set (it then waits, without campaigning, to be added); the leader
 * stages it until it has caught up, then commits the new configuration (joint consensus: a majority
 * of the old and of the new configuration must be up meanwhile). A removed member stops serving the
 * group.
 */
public final class Membership {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

  private final String self;
  private final RaftClient raft;
  private final Supplier<MemberStatus> status;

  Membership(String self, RaftClient raft, Supplier<MemberStatus> status) {
    this.self = self;
    this.raft = raft;
    this.status = status;
  }

  /** Adds member {@code id} at Raft address {@code address} (already started with join mode). */
  public CompletableFuture<Void> addMember(String id, String address) {
    StoreConfig.checkAddress("address", address);
    return CompletableFuture.runAsync(
        () -> {
          RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(address).build();
          LOG.info("member={} adding member {} at {}", self, id, address);
          check(
              "add member " + id,
              () ->
                  raft.admin()
                      .setConfiguration(
                          SetConfigurationRequest.Arguments.newBuilder()
                              .setServersInNewConf(List.of(peer))
                              .setMode(SetConfigurationRequest.Mode.ADD)
                              .build()));
        });
  }

  /** Removes member {@code id}; fails if it is not a member (as this member sees it). */
  public CompletableFuture<Void> removeMember(String id) {
    return CompletableFuture.runAsync(
        () -> {
          List<RaftPeer> current = new ArrayList<>();
          List<RaftPeer> remaining = new ArrayList<>();
          for (PeerStatus p : status.get().members()) {
            RaftPeer peer = RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build();
            current.add(peer);
            if (!p.id().equals(id)) {
              remaining.add(peer);
            }
          }
          if (remaining.size() == current.size()) {
            throw new InvalidRequestException(
                "member: " + id + " (expected: one of " + status.get().members() + ")");
          }
          LOG.info("member={} removing member {}", self, id);
          check(
              "remove member " + id,
              () ->
                  raft.admin()
                      .setConfiguration(
                          SetConfigurationRequest.Arguments.newBuilder()
                              .setServersInCurrentConf(current)
                              .setServersInNewConf(remaining)
                              .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                              .build()));
        });
  }

  /** Asks the leader to hand leadership to {@code id} and waits up to {@code timeout}. */
  public CompletableFuture<Void> transferLeadership(String id, Duration timeout) {
    return CompletableFuture.runAsync(
        () -> {
          LOG.info("member={} transferring leadership to {}", self, id);
          check(
              "transfer leadership to " + id,
              () -> raft.admin().transferLeadership(RaftPeerId.valueOf(id), timeout.toMillis()));
        });
  }

  private interface Call {
    RaftClientReply run() throws IOException;
  }

  private static void check(String what, Call call) {
    RaftClientReply reply;
    try {
      reply = call.run();
    } catch (IOException e) {
      throw Failures.translate(e, what);
    }
    if (!reply.isSuccess()) {
      Exception e = reply.getException();
      throw Failures.translate(e != null ? e : new IOException("no reason given"), what);
    }
  }
}
