package io.raftmesh.server.telemetry;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;

/**
 * The telemetry aggregation's series:
 *
 * <ul>
 *   <li>{@code raftmesh_telemetry_reports_total{result="ok|invalid|denied|error"}}: agents' reports
 *       by outcome
 *   <li>{@code raftmesh_telemetry_dropped_edges_total}: edge summaries not stored because the
 *       window held its maximum of distinct edges
 *   <li>{@code raftmesh_telemetry_window_edges}: distinct edges in this server's window
 * </ul>
 */
final class TelemetryMetrics {
  final Counter reports;
  final Counter droppedEdges;

  TelemetryMetrics(PrometheusRegistry registry, IntSupplier windowEdges) {
    reports =
        Counter.builder()
            .name("raftmesh_telemetry_reports_total")
            .help("Agents' telemetry reports by result")
            .labelNames("result")
            .register(registry);
    droppedEdges =
        Counter.builder()
            .name("raftmesh_telemetry_dropped_edges_total")
            .help("Edge summaries not stored because the window held its maximum of edges")
            .register(registry);
    GaugeWithCallback.builder()
        .name("raftmesh_telemetry_window_edges")
        .help("Distinct edges in this server's telemetry window")
        .callback(cb -> cb.call(windowEdges.getAsInt()))
        .register(registry);
    for (String result : new String[] {"ok", "invalid", "denied", "error"}) {
      reports.labelValues(result);
    }
  }
}
