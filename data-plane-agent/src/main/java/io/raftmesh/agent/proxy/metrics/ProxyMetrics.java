package io.raftmesh.agent.proxy.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The proxy's Prometheus metrics. Series (labels are bounded: directions, service names of the
 * mesh, code classes; never identities, paths or endpoint addresses):
 *
 * <ul>
 *   <li>{@code raftmesh_proxy_requests_total{direction,source,destination,code_class}}
 *   <li>{@code raftmesh_proxy_request_duration_seconds{direction,source,destination}} histogram
 *   <li>{@code raftmesh_proxy_tcp_connections_total}, {@code
 *       raftmesh_proxy_tcp_received_bytes_total}, {@code raftmesh_proxy_tcp_sent_bytes_total}
 *       {@code {direction,source,destination}}
 *   <li>{@code raftmesh_proxy_tcp_active_connections{direction}} gauge
 *   <li>{@code raftmesh_proxy_retries_total{destination}}
 *   <li>{@code raftmesh_proxy_circuit_breaker_overflows_total{destination,limit}}
 *   <li>{@code raftmesh_proxy_ejections_total{destination}}
 *   <li>{@code raftmesh_proxy_authorization_denials_total{destination,protocol}}
 *   <li>{@code raftmesh_proxy_upstream_connect_failures_total{destination}}
 *   <li>{@code raftmesh_proxy_rejected_requests_total{reason}} (malformed or oversized requests)
 * </ul>
 */
public final class ProxyMetrics {
  final Counter requests;
  final Histogram duration;
  final Counter tcpConnections;
  final Counter tcpReceived;
  final Counter tcpSent;
  private final Gauge tcpActive;
  private final Counter retries;
  private final Counter overflows;
  private final Counter ejections;
  private final Counter denials;
  private final Counter connectFailures;
  private final Counter rejected;
  private final ConcurrentMap<String, EdgeMetrics> edges = new ConcurrentHashMap<>();

  /** Registers every series in {@code registry}. */
  public ProxyMetrics(PrometheusRegistry registry) {
    String[] edge = {"direction", "source", "destination"};
    requests =
        Counter.builder()
            .name("raftmesh_proxy_requests_total")
            .help("HTTP requests proxied, by response code class")
            .labelNames("direction", "source", "destination", "code_class")
            .register(registry);
    duration =
        Histogram.builder()
            .name("raftmesh_proxy_request_duration_seconds")
            .help("Time from a request's arrival to the end of its response")
            .labelNames(edge)
            .classicOnly()
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    tcpConnections =
        Counter.builder()
            .name("raftmesh_proxy_tcp_connections_total")
            .help("TCP connections proxied")
            .labelNames(edge)
            .register(registry);
    tcpReceived =
        Counter.builder()
            .name("raftmesh_proxy_tcp_received_bytes_total")
            .help("Bytes received from the connecting side of proxied TCP connections")
            .labelNames(edge)
            .register(registry);
    tcpSent =
        Counter.builder()
            .name("raftmesh_proxy_tcp_sent_bytes_total")
            .help("Bytes sent to the connecting side of proxied TCP connections")
            .labelNames(edge)
            .register(registry);
    tcpActive =
        Gauge.builder()
            .name("raftmesh_proxy_tcp_active_connections")
            .help("TCP connections being proxied now")
            .labelNames("direction")
            .register(registry);
    retries =
        Counter.builder()
            .name("raftmesh_proxy_retries_total")
            .help("Request attempts after the first")
            .labelNames("destination")
            .register(registry);
    overflows =
        Counter.builder()
            .name("raftmesh_proxy_circuit_breaker_overflows_total")
            .help("Requests or connections refused because a limit was reached")
            .labelNames("destination", "limit")
            .register(registry);
    ejections =
        Counter.builder()
            .name("raftmesh_proxy_ejections_total")
            .help("Endpoints ejected by outlier detection")
            .labelNames("destination")
            .register(registry);
    denials =
        Counter.builder()
            .name("raftmesh_proxy_authorization_denials_total")
            .help("Requests (http) or connections (tcp) refused by authorization")
            .labelNames("destination", "protocol")
            .register(registry);
    connectFailures =
        Counter.builder()
            .name("raftmesh_proxy_upstream_connect_failures_total")
            .help("Failed connections (TCP, TLS or identity check) to upstream endpoints")
            .labelNames("destination")
            .register(registry);
    rejected =
        Counter.builder()
            .name("raftmesh_proxy_rejected_requests_total")
            .help("Requests refused before routing: malformed, oversized, too slow, unknown host")
            .labelNames("reason")
            .register(registry);
  }

  /** The metrics of one edge; callers keep the result instead of calling this per request. */
  public EdgeMetrics edge(String direction, String source, String destination) {
    String key = direction + '|' + source + '|' + destination;
    EdgeMetrics m = edges.get(key);
    if (m == null) {
      m = edges.computeIfAbsent(key, k -> new EdgeMetrics(this, direction, source, destination));
    }
    return m;
  }

  /** The per-edge summaries since the previous call, skipping idle edges. */
  public List<EdgeSummary> drainEdgeSummaries() {
    List<EdgeSummary> out = new ArrayList<>();
    for (EdgeMetrics m : edges.values()) {
      EdgeSummary s = m.drain();
      if (s.requests() > 0) {
        out.add(s);
      }
    }
    return out;
  }

  /** The retry counter of a destination. */
  public CounterDataPoint retries(String destination) {
    return retries.labelValues(destination);
  }

  /** The overflow counter of a destination and limit. */
  public CounterDataPoint overflows(String destination, String limit) {
    return overflows.labelValues(destination, limit);
  }

  /** Counts an ejection. */
  public void ejected(String destination) {
    ejections.labelValues(destination).inc();
  }

  /** Counts an authorization denial. */
  public void denied(String destination, String protocol) {
    denials.labelValues(destination, protocol).inc();
  }

  /** Counts a failed upstream connection. */
  public void connectFailed(String destination) {
    connectFailures.labelValues(destination).inc();
  }

  /** Counts a request refused before routing. */
  public void rejected(String reason) {
    rejected.labelValues(reason).inc();
  }

  /** Adjusts the active TCP connections gauge. */
  public void tcpActive(String direction, int delta) {
    tcpActive.labelValues(direction).inc(delta);
  }
}
