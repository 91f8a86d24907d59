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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delta streams open on this server. When the store has had no leader for longer than an
 * election timeout it refuses new streams, and when no leader is known {@link #SHED_GRACE} later
 * (this server has lost its quorum, so what it streams may be stale and will not advance) it sheds
 * the open ones with UNAVAILABLE, so agents move to a healthy server. The grace keeps an ordinary
 * election (the whole cluster briefly without a leader, under load every minute or so) from ending
 * every stream in the cluster at once and making every agent reconnect and read a reset.
 */
public final class Subscriptions implements LeadershipListener {
  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

  final StoreMember member;
  final String serverId;
  final NodeReports reports;
  final ServerMetrics metrics;
  final StatusMapping errors;
  final ScheduledExecutorService executor;

  /** How long after "no leader" (itself an election timeout) open streams are shed. */
  public static final Duration SHED_GRACE = Duration.ofSeconds(2);

  private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
  private final Duration shedGrace;
  private volatile boolean noLeader;
  private volatile boolean closed;
  // Counts leaderless periods: a shed scheduled in one period does nothing in a later one.
  private final AtomicLong leaderlessPeriod = new AtomicLong();

  /** Streams served from {@code member}'s replica. */
  public Subscriptions(
      StoreMember member,
      String serverId,
      NodeReports reports,
      ServerMetrics metrics,
      StatusMapping errors,
      ScheduledExecutorService executor) {
    this(member, serverId, reports, metrics, errors, executor, SHED_GRACE);
  }

  /** As above, with {@code shedGrace} in place of {@link #SHED_GRACE} (tests). */
  public Subscriptions(
      StoreMember member,
      String serverId,
      NodeReports reports,
      ServerMetrics metrics,
      StatusMapping errors,
      ScheduledExecutorService executor,
      Duration shedGrace) {
    this.member = member;
    this.serverId = serverId;
    this.reports = reports;
    this.metrics = metrics;
    this.errors = errors;
    this.executor = executor;
    this.shedGrace = shedGrace;
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
    long period = leaderlessPeriod.incrementAndGet();
    Runnable shed = () -> shedIfStillLeaderless(period, elapsed.plus(shedGrace));
    if (shedGrace.isZero()) {
      shed.run();
      return;
    }
    try {
      var unused = executor.schedule(shed, shedGrace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Stopping: close() sheds every stream.
    }
  }

  private void shedIfStillLeaderless(long period, Duration elapsed) {
    if (!noLeader || leaderlessPeriod.get() != period) {
      return;
    }
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
    leaderlessPeriod.incrementAndGet();
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
