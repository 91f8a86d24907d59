package io.raftmesh.server.delta;

import io.grpc.Status;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.registration.NodeReports;
import io.raftmesh.server.rpc.StatusMapping;
import io.raftmesh.store.LeadershipListener;
import io.raftmesh.store.StoreMember;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delta streams open on this server. It sheds them all with UNAVAILABLE when the store has had
 * no leader for longer than an election timeout (this server has lost its quorum, so what it
 * streams may be stale and will not advance) and refuses new ones until a leader is known again, so
 * agents move to a healthy server.
 */
public final class Subscriptions implements LeadershipListener {
  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

  final StoreMember member;
  final String serverId;
  final NodeReports reports;
  final ServerMetrics metrics;
  final StatusMapping errors;
  final Executor executor;
  private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
  private volatile boolean noLeader;
  private volatile boolean closed;

  /** Streams served from {@code member}'s replica. */
  public Subscriptions(
      StoreMember member,
      String serverId,
      NodeReports reports,
      ServerMetrics metrics,
      StatusMapping errors,
      Executor executor) {
    this.member = member;
    this.serverId = serverId;
    this.reports = reports;
    this.metrics = metrics;
    this.errors = errors;
    this.executor = executor;
  }

  /** Open streams. */
  public int size() {
    return open.size();
  }

  /** Whether node {@code name} has a stream open here. */
  public boolean streamingHere(String name) {
    for (Subscription s : open) {
      if (s.node().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Why a new stream cannot start now, or null when it can. */
  Status refusal() {
    if (closed) {
      return Status.UNAVAILABLE.withDescription("server " + serverId + " is shutting down");
    }
    if (noLeader) {
      return Status.UNAVAILABLE.withDescription(
          "server " + serverId + " has no leader (lost its quorum?); subscribe to another server");
    }
    return Status.OK;
  }

  void add(Subscription s) {
    open.add(s);
  }

  void remove(Subscription s) {
    open.remove(s);
  }

  @Override
  public void onNoLeader(Duration elapsed) {
    noLeader = true;
    int n = open.size();
    if (n > 0) {
      LOG.warn(
          "member={} no leader for {}ms: shedding {} delta streams",
          serverId,
          elapsed.toMillis(),
          n);
    }
    shedAll(
        "no_quorum",
        Status.UNAVAILABLE.withDescription(
            "server "
                + serverId
                + " has had no leader for "
                + elapsed.toMillis()
                + "ms (lost its quorum?); resume on another server"));
  }

  @Override
  public void onLeaderChanged(String leaderId, long term) {
    if (noLeader) {
      LOG.info(
          "member={} leader {} known again term={}: accepting delta streams",
          serverId,
          leaderId,
          term);
    }
    noLeader = false;
  }

  /** Ends every stream with UNAVAILABLE: the server is stopping. */
  public void close() {
    closed = true;
    shedAll(
        "shutdown", Status.UNAVAILABLE.withDescription("server " + serverId + " is shutting down"));
  }

  private void shedAll(String reason, Status status) {
    for (Subscription s : open) {
      if (s.shed(status)) {
        metrics.streamsShed.labelValues(reason).inc();
      }
    }
  }
}
