package io.raftmesh.agent.proxy.core;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.MeshSnapshot;
import io.raftmesh.agent.proxy.config.ServiceConfig;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.metrics.ProxyMetrics;
import io.raftmesh.agent.proxy.tls.ProxyTls;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every listener and handler of one proxy shares: transport, TLS, metrics, limits, the current
 * routing state (swapped atomically on reload) and the per-destination protection state.
 */
public final class ProxyContext {
  private final Transport transport;
  private final ProxyTls tls;
  private final ProxyMetrics metrics;
  private final ProxyLimits limits;
  private final Map<ServiceName, DestinationState> destinations = new ConcurrentHashMap<>();
  private volatile RoutingState state;

  /** A context starting from an empty mesh. */
  public ProxyContext(
      Transport transport,
      ProxyTls tls,
      ProxyMetrics metrics,
      ProxyLimits limits,
      String trustDomain) {
    this.transport = requireNonNull(transport, "transport");
    this.tls = requireNonNull(tls, "tls");
    this.metrics = requireNonNull(metrics, "metrics");
    this.limits = requireNonNull(limits, "limits");
    this.state = new RoutingState(MeshSnapshot.empty(trustDomain), Map.of());
  }

  /** The event loops and socket types. */
  public Transport transport() {
    return transport;
  }

  /** TLS contexts and identities. */
  public ProxyTls tls() {
    return tls;
  }

  /** Metrics. */
  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Limits. */
  public ProxyLimits limits() {
    return limits;
  }

  /** The routing state new requests use. */
  public RoutingState state() {
    return state;
  }

  /** The mesh's trust domain. */
  public String trustDomain() {
    return state.snapshot().trustDomain();
  }

  /** Installs {@code next} for new requests; updates destination limits first. */
  public void install(RoutingState next) {
    for (ServiceConfig s : next.snapshot().services().values()) {
      destination(s.name(), s.destination()).configure(s.destination());
    }
    this.state = next;
  }

  /** The protection state of {@code service}. */
  public DestinationState destination(ServiceName service, DestinationConfig config) {
    DestinationState d = destinations.get(service);
    if (d == null) {
      d = destinations.computeIfAbsent(service, k -> new DestinationState(k, config, metrics));
    }
    return d;
  }
}
