package io.raftmesh.server.telemetry;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.QueryTelemetryRequest;
import io.raftmesh.proto.v1.QueryTelemetryResponse;
import io.raftmesh.proto.v1.ReportTelemetryRequest;
import io.raftmesh.proto.v1.ReportTelemetryResponse;
import io.raftmesh.proto.v1.TelemetryServiceGrpc;
import io.raftmesh.proto.v1.TrafficDirection;
import io.raftmesh.server.auth.Caller;
import io.raftmesh.server.rpc.Unary;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TelemetryService: agents report per-edge summaries into this server's {@link SlidingWindow};
 * admins read the window. Nothing is written through Raft. A report is validated whole and the
 * node's right to every edge is checked before any of it is stored, so a refused report stores
 * nothing.
 */
public final class TelemetryGrpcService extends TelemetryServiceGrpc.TelemetryServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(TelemetryGrpcService.class);

  private final String serverId;
  private final SlidingWindow window;
  private final HostedServices hosted;
  private final TelemetryMetrics metrics;
  private final Clock clock;
  private final Unary unary;

  /**
   * The service of server {@code serverId}.
   *
   * @param retention how long summaries are kept (the longest window a query covers)
   * @param maxEdges how many distinct edges the window holds at most
   */
  public TelemetryGrpcService(
      String serverId,
      StoreClient store,
      Duration retention,
      int maxEdges,
      Clock clock,
      PrometheusRegistry registry,
      Unary unary,
      Duration timeout) {
    this.serverId = requireNonNull(serverId, "serverId");
    this.clock = requireNonNull(clock, "clock");
    this.window = SlidingWindow.of(clock, retention, maxEdges);
    this.hosted = new HostedServices(store, clock, timeout);
    this.metrics = new TelemetryMetrics(registry, window::edges);
    this.unary = requireNonNull(unary, "unary");
  }

  @Override
  public void report(
      ReportTelemetryRequest request, StreamObserver<ReportTelemetryResponse> observer) {
    unary.respond(observer, () -> report(request, (Caller.Node) Caller.current()));
  }

  private ReportTelemetryResponse report(ReportTelemetryRequest request, Caller.Node node) {
    try {
      ReportCheck.validate(request, node.name());
    } catch (IllegalArgumentException e) {
      metrics.reports.labelValues("invalid").inc();
      LOG.debug("telemetry report refused node={} error={}", node.name(), e.getMessage());
      throw e;
    }
    for (int i = 0; i < request.getEdgesCount(); i++) {
      authorize(node.name(), "edges[" + i + "]", request.getEdges(i));
    }
    SlidingWindow.Recorded r = window.record(node.name(), request.getEdgesList());
    metrics.reports.labelValues("ok").inc();
    if (r.dropped() > 0) {
      metrics.droppedEdges.inc(r.dropped());
      LOG.warn(
          "telemetry window full node={} dropped_edges={} (raise --telemetry-max-edges)",
          node.name(),
          r.dropped());
    }
    return ReportTelemetryResponse.newBuilder()
        .setAccepted(r.accepted())
        .setDropped(r.dropped())
        .setServerId(serverId)
        .build();
  }

  /** The local end of the edge (source of outbound, destination of inbound) must be the node's. */
  private void authorize(String node, String at, EdgeTraffic e) {
    boolean inbound = e.getDirection() == TrafficDirection.TRAFFIC_DIRECTION_INBOUND;
    String local = inbound ? e.getDestination() : e.getSource();
    boolean ok;
    try {
      ok = hosted.hosts(node, local);
    } catch (StatusRuntimeException e2) {
      metrics.reports.labelValues("error").inc();
      throw e2;
    } catch (RuntimeException e2) {
      metrics.reports.labelValues("error").inc();
      throw Status.UNAVAILABLE
          .withDescription("cannot check the node's services: " + e2.getMessage())
          .asRuntimeException();
    }
    if (!ok) {
      metrics.reports.labelValues("denied").inc();
      LOG.warn(
          "telemetry report refused node={} edge={} {} -> {}: not the node's service",
          node,
          inbound ? "inbound" : "outbound",
          e.getSource(),
          e.getDestination());
      throw Status.PERMISSION_DENIED
          .withDescription(
              at
                  + ": "
                  + (inbound ? "inbound " : "outbound ")
                  + e.getSource()
                  + " -> "
                  + e.getDestination()
                  + " (expected: an edge whose "
                  + (inbound ? "destination " : "source ")
                  + local
                  + " has an endpoint on node "
                  + node
                  + ")")
          .asRuntimeException();
    }
  }

  @Override
  public void queryWindow(
      QueryTelemetryRequest request, StreamObserver<QueryTelemetryResponse> observer) {
    unary.respond(observer, () -> query(request));
  }

  private QueryTelemetryResponse query(QueryTelemetryRequest request) {
    Duration span = Duration.ZERO;
    if (request.hasWindow()) {
      if (Durations.toMillis(request.getWindow()) < 0) {
        throw new IllegalArgumentException(
            "window: " + Durations.toString(request.getWindow()) + " (expected: 0 or more)");
      }
      span = Duration.ofMillis(Durations.toMillis(request.getWindow()));
    }
    SlidingWindow.Snapshot s = window.query(span, request.getService());
    return QueryTelemetryResponse.newBuilder()
        .setServerId(serverId)
        .setWindow(Durations.fromMillis(s.covered().toMillis()))
        .setWindowEnd(Timestamps.fromMillis(clock.millis()))
        .addAllEdges(s.edges())
        .setDroppedEdges(window.dropped())
        .setReportingNodes(s.reportingNodes())
        .build();
  }
}
