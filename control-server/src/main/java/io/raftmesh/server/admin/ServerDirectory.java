package io.raftmesh.server.admin;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.server.rpc.LeaderHint;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreMember;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each control server answers gRPC ({@code _servers/<id>} = {@code host:port}): each server
 * records its own address once a leader can take the write, so status shows API addresses and
 * UNAVAILABLE answers can name the leader's address.
 */
public final class ServerDirectory implements LeaderHint {
  private static final Logger LOG = LoggerFactory.getLogger(ServerDirectory.class);

  private final StoreMember member;
  private final String serverId;
  private final java.util.function.Supplier<String> apiAddress;
  private final Duration timeout;
  private final AtomicBoolean recorded = new AtomicBoolean();

  /** The directory, in which this server answers at {@code apiAddress}. */
  public ServerDirectory(
      StoreMember member,
      String serverId,
      java.util.function.Supplier<String> apiAddress,
      Duration timeout) {
    this.member = member;
    this.serverId = serverId;
    this.apiAddress = apiAddress;
    this.timeout = timeout;
  }

  static ByteString key(String id) {
    return ServerKeys.key(ServerKeys.SERVERS, id);
  }

  /** Records this server's address unless it is there already; false when the store refused. */
  public boolean recordSelf() {
    if (recorded.get()) {
      return true;
    }
    try {
      String address = apiAddress.get();
      if (address.isEmpty()) {
        return false;
      }
      ByteString value = ByteString.copyFromUtf8(address);
      QueryResult r =
          PrefixScan.get(member.client(), key(serverId), ReadConsistency.LINEARIZABLE, timeout);
      if (!r.hasKv() || !r.getKv().getValue().equals(value)) {
        PrefixScan.await(
            member
                .client()
                .put("server/" + serverId + "/" + UUID.randomUUID(), key(serverId), value),
            timeout);
        LOG.info("member={} recorded its API address {}", serverId, address);
      }
      recorded.set(true);
      return true;
    } catch (RuntimeException e) {
      LOG.debug("member={} could not record its API address yet: {}", serverId, e.toString());
      return false;
    }
  }

  /** The API address of member {@code id}, as this replica knows it. */
  public Optional<String> apiAddress(String id) {
    if (id.equals(serverId)) {
      String address = apiAddress.get();
      return address.isEmpty() ? Optional.empty() : Optional.of(address);
    }
    try {
      QueryResult r = PrefixScan.get(member.client(), key(id), ReadConsistency.stale(0), timeout);
      return r.hasKv() ? Optional.of(r.getKv().getValue().toStringUtf8()) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Records (or, with null, forgets) another member's address. */
  void record(String id, @org.jspecify.annotations.Nullable String address) {
    String requestId = "server/" + id + "/" + UUID.randomUUID();
    if (address == null) {
      PrefixScan.await(member.client().delete(requestId, key(id)), timeout);
    } else {
      PrefixScan.await(
          member.client().put(requestId, key(id), ByteString.copyFromUtf8(address)), timeout);
    }
  }

  @Override
  public Optional<String> leaderId() {
    try {
      return member.status().leaderId();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<String> leaderAddress() {
    return leaderId().flatMap(this::apiAddress);
  }
}
