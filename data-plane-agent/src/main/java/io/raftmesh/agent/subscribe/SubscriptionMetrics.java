package io.raftmesh.agent.subscribe;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Config-subscription metrics of the agent:
 *
 * <ul>
 *   <li>{@code raftmesh_agent_applied_revision}: the revision of the config in force;
 *   <li>{@code raftmesh_agent_deltas_total}: deltas received;
 *   <li>{@code raftmesh_agent_delta_resets_total}: of those, full-state resets;
 *   <li>{@code raftmesh_agent_delta_acks_total}, {@code raftmesh_agent_delta_nacks_total}: answers
 *       sent;
 *   <li>{@code raftmesh_agent_subscription_reconnects_total{reason}}: streams ended, reason {@code
 *       error}, {@code completed} or {@code sequence} (a delta that did not continue the view);
 *   <li>{@code raftmesh_agent_subscription_connected}: 1 while a stream is open.
 * </ul>
 */
public final class SubscriptionMetrics {
  private final Gauge appliedRevision;
  private final Counter deltas;
  private final Counter resets;
  private final Counter acks;
  private final Counter nacks;
  private final Counter reconnects;
  private final Gauge connected;

  /** Registers the series in {@code registry}. */
  public SubscriptionMetrics(PrometheusRegistry registry) {
    requireNonNull(registry, "registry");
    appliedRevision =
        Gauge.builder()
            .name("raftmesh_agent_applied_revision")
            .help("The config revision in force in the data plane.")
            .register(registry);
    deltas =
        Counter.builder()
            .name("raftmesh_agent_deltas_total")
            .help("Config deltas received.")
            .register(registry);
    resets =
        Counter.builder()
            .name("raftmesh_agent_delta_resets_total")
            .help("Config deltas received that replaced the whole view.")
            .register(registry);
    acks =
        Counter.builder()
            .name("raftmesh_agent_delta_acks_total")
            .help("Deltas acknowledged (applied).")
            .register(registry);
    nacks =
        Counter.builder()
            .name("raftmesh_agent_delta_nacks_total")
            .help("Deltas refused by the data plane (the previous config stayed in force).")
            .register(registry);
    reconnects =
        Counter.builder()
            .name("raftmesh_agent_subscription_reconnects_total")
            .help("Subscription streams that ended, by reason (error, completed, sequence).")
            .labelNames("reason")
            .register(registry);
    connected =
        Gauge.builder()
            .name("raftmesh_agent_subscription_connected")
            .help("1 while a config stream to a control server is open.")
            .register(registry);
  }

  void applied(long revision) {
    appliedRevision.set((double) revision);
  }

  void delta(boolean reset) {
    deltas.inc();
    if (reset) {
      resets.inc();
    }
  }

  void ack() {
    acks.inc();
  }

  void nack() {
    nacks.inc();
  }

  void ended(String reason) {
    reconnects.labelValues(reason).inc();
  }

  void connected(boolean open) {
    connected.set(open ? 1 : 0);
  }
}
