package io.raftmesh.agent.cert;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.identity.StoredCertificate;
import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.tls.RotatingKeyManager;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateMetricsTest {
  private static ManagedCertificate cert(
      TestPki pki, CertificateKind kind, SpiffeId id, Duration life) {
    RotatingKeyManager keys = pki.leaf(id, life);
    String alias = keys.chooseEngineClientAlias(new String[] {"EC"}, null, null);
    X509Certificate[] chain = java.util.Objects.requireNonNull(keys.getCertificateChain(alias));
    StoredCertificate stored =
        new StoredCertificate(
            java.util.Objects.requireNonNull(keys.getPrivateKey(alias)),
            List.of(chain),
            Instant.now());
    return new ManagedCertificate(
        kind,
        id.toString(),
        id,
        stored,
        (csr, r) -> {
          throw new AssertionError("not called");
        },
        Instant.now());
  }

  @Test
  void exportsEarliestExpiryPerKindRefreshesAndOutageBudget() throws Exception {
    TestPki pki = TestPki.create("mesh.test");
    ManagedCertificate node =
        cert(
            pki,
            CertificateKind.NODE,
            new MeshIdentity.Node(pki.trustDomain, "n").spiffeId(),
            Duration.ofHours(2));
    ManagedCertificate w1 =
        cert(
            pki,
            CertificateKind.WORKLOAD,
            new MeshIdentity.Workload(pki.trustDomain, "a", "b").spiffeId(),
            Duration.ofHours(1));
    ManagedCertificate w2 =
        cert(
            pki,
            CertificateKind.WORKLOAD,
            new MeshIdentity.Workload(pki.trustDomain, "a", "c").spiffeId(),
            Duration.ofHours(3));
    PrometheusRegistry registry = new PrometheusRegistry();
    CertificateMetrics metrics =
        new CertificateMetrics(registry, () -> List.of(node, w1, w2), Clock.systemUTC());
    metrics.refreshed(CertificateKind.WORKLOAD, true);
    metrics.refreshed(CertificateKind.NODE, false);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    String text = out.toString(StandardCharsets.UTF_8);

    long w1Expiry = w1.current().notAfter().getEpochSecond();
    assertThat(text)
        .contains(
            "raftmesh_agent_certificate_expiration_timestamp_seconds{kind=\"workload\"} "
                + (double) w1Expiry)
        .contains(
            "raftmesh_agent_certificate_expiration_timestamp_seconds{kind=\"node\"} "
                + (double) node.current().notAfter().getEpochSecond())
        .contains("raftmesh_agent_certificate_refreshes_total{kind=\"workload\",result=\"ok\"} 1.0")
        .contains("raftmesh_agent_certificate_refreshes_total{kind=\"node\",result=\"error\"} 1.0");
    String budget =
        text.lines()
            .filter(l -> l.startsWith("raftmesh_agent_outage_budget_seconds "))
            .findFirst()
            .orElseThrow();
    double seconds = Double.parseDouble(budget.substring(budget.indexOf(' ') + 1));
    assertThat(seconds).isBetween(3500.0, 3600.0);
  }
}
