package io.raftmesh.agent.telemetry;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.ControlPlaneException;
import io.raftmesh.agent.control.ControlServers;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.ReportTelemetryRequest;
import io.raftmesh.proto.v1.ReportTelemetryResponse;
import io.raftmesh.proto.v1.TelemetryServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code interval}, drains the data plane's per-edge summaries and reports them to the
 * control server the agent streams config from (another server when that one fails). On a failure
 * the summaries stay pending, merged with the next ones, for at most {@code maxAge} and {@code
 * maxEdges} edges, and go with the next report. A report a server refuses (PERMISSION_DENIED,
 * INVALID_ARGUMENT: another server would refuse it too) is dropped and counted. Runs on its own
 * thread: the proxy only pays for the drain, never for the network.
 *
 * <p>Series: {@code raftmesh_agent_telemetry_reports_total{result="ok|failed|refused"}}, {@code
 * raftmesh_agent_telemetry_dropped_edges_total{reason="age|full|refused"}}.
 */
public final class TelemetrySender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TelemetrySender.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  // The last report at shutdown waits this long at most: stopping must not hang on a dead server.
  private static final Duration FINAL_CALL_TIMEOUT = Duration.ofSeconds(1);
  private volatile Duration callTimeout = CALL_TIMEOUT;

  /** How long undelivered summaries are kept. */
  public static final Duration MAX_AGE = Duration.ofSeconds(60);

  /** How many undelivered edges are kept. */
  public static final int MAX_EDGES = 2000;

  private final String node;
  private final ControlServers control;
  private final Supplier<@Nullable HostPort> streaming;
  private final Supplier<List<EdgeTraffic>> drain;
  private final Duration interval;
  private final Clock clock;
  private final PendingTraffic pending;
  private final Counter reports;
  private final Counter dropped;
  private final ScheduledExecutorService thread;
  private Instant lastDrain;
  private long reportedAged;
  private long reportedFull;
  private int failuresInARow;
  private boolean unimplementedLogged;

  /**
   * A sender (not started) for {@code node}.
   *
   * @param streaming the server of the open config stream, or null while there is none
   * @param drain the data plane's summaries since the previous call
   */
  public TelemetrySender(
      String node,
      ControlServers control,
      Supplier<@Nullable HostPort> streaming,
      Supplier<List<EdgeTraffic>> drain,
      Duration interval,
      Clock clock,
      PrometheusRegistry registry) {
    this.node = requireNonNull(node, "node");
    this.control = requireNonNull(control, "control");
    this.streaming = requireNonNull(streaming, "streaming");
    this.drain = requireNonNull(drain, "drain");
    this.interval = requireNonNull(interval, "interval");
    this.clock = requireNonNull(clock, "clock");
    this.pending = new PendingTraffic(MAX_AGE, MAX_EDGES);
    this.lastDrain = clock.instant();
    this.reports =
        Counter.builder()
            .name("raftmesh_agent_telemetry_reports_total")
            .help("Telemetry reports sent to the control plane, by result")
            .labelNames("result")
            .register(registry);
    this.dropped =
        Counter.builder()
            .name("raftmesh_agent_telemetry_dropped_edges_total")
            .help("Edge summaries never delivered: too old, too many pending, or refused")
            .labelNames("reason")
            .register(registry);
    // Every known series from the start (at 0), so dashboards and alerts see them before a drop.
    for (String result : new String[] {"ok", "failed", "refused"}) {
      reports.labelValues(result);
    }
    for (String reason : new String[] {"age", "full", "refused"}) {
      dropped.labelValues(reason);
    }
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raftmesh-agent-telemetry");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts reporting every interval. */
  public void start() {
    var unused =
        thread.scheduleWithFixedDelay(
            this::tickSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.warn("telemetry report failed node={} error={}", node, e.toString());
    }
  }

  /** One round: drain, merge with what is pending, send. Package-private for tests. */
  void tick() {
    Instant now = clock.instant();
    List<EdgeTraffic> drained = drain.get();
    pending.add(drained, lastDrain, now);
    lastDrain = now;
    countDrops();
    if (pending.isEmpty()) {
      return;
    }
    List<EdgeTraffic> edges = pending.edges();
    ReportTelemetryRequest request =
        ReportTelemetryRequest.newBuilder()
            .setNode(node)
            .setIntervalStart(Timestamps.fromMillis(pending.since().toEpochMilli()))
            .setIntervalEnd(Timestamps.fromMillis(now.toEpochMilli()))
            .addAllEdges(edges)
            .build();
    try {
      send(request);
      pending.clear();
      reports.labelValues("ok").inc();
      if (failuresInARow > 0) {
        log.info("telemetry reports delivered again node={} edges={}", node, edges.size());
      }
      failuresInARow = 0;
    } catch (ControlPlaneException e) {
      if (ControlServers.retryable(e.status())) {
        reports.labelValues("failed").inc();
        if (failuresInARow++ == 0) {
          log.warn(
              "telemetry report failed node={} pending_edges={} (kept up to {}s): {}",
              node,
              edges.size(),
              MAX_AGE.toSeconds(),
              e.getMessage());
        }
      } else {
        reports.labelValues("refused").inc();
        dropped.labelValues("refused").inc(edges.size());
        pending.clear();
        // A server without TelemetryService (older version, mid-upgrade) says so on every report:
        // say it once.
        boolean unimplemented = e.status().getCode() == Status.Code.UNIMPLEMENTED;
        if (!unimplemented || !unimplementedLogged) {
          unimplementedLogged |= unimplemented;
          log.warn(
              "telemetry report refused node={} edges={}: {}", node, edges.size(), e.getMessage());
        }
      }
    }
  }

  /** To the streaming server first; any other one if it fails with a retryable error. */
  private void send(ReportTelemetryRequest request) {
    HostPort target = streaming.get();
    if (target != null) {
      try {
        var unused = call(control.channel(target), request);
        return;
      } catch (StatusRuntimeException e) {
        if (!ControlServers.retryable(e.getStatus())) {
          throw new ControlPlaneException(
              control.describe("report telemetry", target, e), e.getStatus(), e);
        }
      }
    }
    try {
      var unused = control.call("report telemetry", 1, ch -> call(ch, request));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlPlaneException("report telemetry: interrupted", Status.CANCELLED, e);
    }
  }

  private ReportTelemetryResponse call(Channel channel, ReportTelemetryRequest request) {
    return TelemetryServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .report(request);
  }

  private void countDrops() {
    long aged = pending.droppedAged();
    long full = pending.droppedFull();
    if (aged > reportedAged) {
      dropped.labelValues("age").inc(aged - reportedAged);
      log.warn(
          "telemetry summaries dropped node={} edges={}: undelivered for {}s",
          node,
          aged - reportedAged,
          MAX_AGE.toSeconds());
      reportedAged = aged;
    }
    if (full > reportedFull) {
      dropped.labelValues("full").inc(full - reportedFull);
      reportedFull = full;
    }
  }

  /**
   * Stops reporting after one last report of what the proxy counted since the previous one (with a
   * short deadline, so a stopping agent never waits long on an unreachable server).
   */
  @Override
  public void close() {
    thread.shutdown(); // cancels the periodic task; a round in progress finishes
    try {
      if (thread.awaitTermination(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
        callTimeout = FINAL_CALL_TIMEOUT;
        tickSafely();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      thread.shutdownNow();
    }
  }
}
