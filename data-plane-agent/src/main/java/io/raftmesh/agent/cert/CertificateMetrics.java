package io.raftmesh.agent.cert;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Certificate metrics of the agent:
 *
 * <ul>
 *   <li>{@code raftmesh_agent_certificate_expiration_timestamp_seconds{kind}}: the earliest
 *       notAfter among the certificates of that kind (node, workload);
 *   <li>{@code raftmesh_agent_certificate_refreshes_total{kind,result}}: renewals, result {@code
 *       ok} or {@code error};
 *   <li>{@code raftmesh_agent_outage_budget_seconds}: time until the first certificate expires,
 *       i.e. how long the agent can go on without any control server.
 * </ul>
 */
public final class CertificateMetrics {
  private final Counter refreshes;

  /** Registers the series in {@code registry}, reading certificates from {@code certificates}. */
  public CertificateMetrics(
      PrometheusRegistry registry,
      Supplier<Collection<ManagedCertificate>> certificates,
      Clock clock) {
    requireNonNull(registry, "registry");
    requireNonNull(certificates, "certificates");
    requireNonNull(clock, "clock");
    this.refreshes =
        Counter.builder()
            .name("raftmesh_agent_certificate_refreshes_total")
            .help("Certificate renewals by kind and result (ok, error).")
            .labelNames("kind", "result")
            .register(registry);
    GaugeWithCallback.builder()
        .name("raftmesh_agent_certificate_expiration_timestamp_seconds")
        .help("The earliest notAfter among the agent's certificates of each kind, Unix seconds.")
        .labelNames("kind")
        .callback(
            cb -> {
              for (CertificateKind kind : CertificateKind.values()) {
                Instant earliest = earliest(certificates.get(), kind);
                if (earliest != null) {
                  cb.call(earliest.toEpochMilli() / 1000.0, kind.label());
                }
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("raftmesh_agent_outage_budget_seconds")
        .help("Seconds until the first of the agent's certificates expires.")
        .callback(
            cb -> {
              Instant earliest = earliest(certificates.get(), null);
              if (earliest != null) {
                cb.call(Math.max(0, earliest.toEpochMilli() - clock.millis()) / 1000.0);
              }
            })
        .register(registry);
  }

  void refreshed(CertificateKind kind, boolean ok) {
    refreshes.labelValues(kind.label(), ok ? "ok" : "error").inc();
  }

  static @org.jspecify.annotations.Nullable Instant earliest(
      Collection<ManagedCertificate> all, @org.jspecify.annotations.Nullable CertificateKind kind) {
    Instant earliest = null;
    for (ManagedCertificate c : all) {
      if (kind != null && c.kind() != kind) {
        continue;
      }
      Instant notAfter = c.current().notAfter();
      if (earliest == null || notAfter.isBefore(earliest)) {
        earliest = notAfter;
      }
    }
    return earliest;
  }
}
