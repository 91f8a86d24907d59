package io.raftmesh.server.xds;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The xDS server's series. The {@code type} label is one of {@code listener}, {@code route}, {@code
 * cluster}, {@code endpoint} (or {@code other}); no client ids.
 *
 * <ul>
 *   <li>{@code raftmesh_xds_streams}: open xDS streams on this server
 *   <li>{@code raftmesh_xds_snapshot_revision}: the store revision of the served snapshot
 *   <li>{@code raftmesh_xds_snapshot_resources}: resources in it
 *   <li>{@code raftmesh_xds_snapshot_build_duration_seconds}: translating the mesh into a snapshot
 *   <li>{@code raftmesh_xds_responses_total{type}}: responses sent
 *   <li>{@code raftmesh_xds_acks_total{type}}, {@code raftmesh_xds_nacks_total{type}}
 * </ul>
 */
final class XdsMetrics {
  final Counter responses;
  final Counter acks;
  final Counter nacks;
  final Histogram buildDuration;

  XdsMetrics(
      PrometheusRegistry registry,
      IntSupplier streams,
      LongSupplier revision,
      IntSupplier resources) {
    GaugeWithCallback.builder()
        .name("raftmesh_xds_streams")
        .help("Open xDS streams on this server")
        .callback(cb -> cb.call(streams.getAsInt()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("raftmesh_xds_snapshot_revision")
        .help("Store revision of the xDS snapshot this server serves")
        .callback(cb -> cb.call(revision.getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("raftmesh_xds_snapshot_resources")
        .help("xDS resources in the served snapshot")
        .callback(cb -> cb.call(resources.getAsInt()))
        .register(registry);
    buildDuration =
        Histogram.builder()
            .name("raftmesh_xds_snapshot_build_duration_seconds")
            .help("Time to translate the mesh's resources into an xDS snapshot")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .register(registry);
    responses =
        Counter.builder()
            .name("raftmesh_xds_responses_total")
            .help("xDS responses sent, by resource type")
            .labelNames("type")
            .register(registry);
    acks =
        Counter.builder()
            .name("raftmesh_xds_acks_total")
            .help("xDS responses acknowledged by clients, by resource type")
            .labelNames("type")
            .register(registry);
    nacks =
        Counter.builder()
            .name("raftmesh_xds_nacks_total")
            .help("xDS responses rejected by clients (NACK), by resource type")
            .labelNames("type")
            .register(registry);
  }

  /** The label value of a type URL. */
  static String type(String typeUrl) {
    int dot = typeUrl.lastIndexOf('.');
    return switch (dot < 0 ? typeUrl : typeUrl.substring(dot + 1)) {
      case "Listener" -> "listener";
      case "RouteConfiguration" -> "route";
      case "Cluster" -> "cluster";
      case "ClusterLoadAssignment" -> "endpoint";
      default -> "other";
    };
  }
}
