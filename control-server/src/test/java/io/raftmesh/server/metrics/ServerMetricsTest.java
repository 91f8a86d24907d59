package io.raftmesh.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServerMetricsTest {

  static String scrape(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aFreshRegistryExposesEverySeriesWithBaseUnitsAndBoundedLabels() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    ServerMetrics m = new ServerMetrics(registry, "1.2.3", "abc123", () -> "FOLLOWER", () -> 7);
    m.issued("node");
    m.acks.inc();
    m.nacks.inc();
    m.deltasSent.labelValues("reset").inc();
    m.deltaSendDuration.observe(0.003);
    m.authorizationFailures.labelValues("no_certificate").inc();
    m.enrollmentFailures.labelValues("token_refused").inc();
    m.tokenUses.labelValues("ok").inc();
    m.rpcs.labelValues("ConfigService/Apply", "OK").inc();
    m.configRevision(registry, () -> 42);

    String text = scrape(registry);

    assertThat(text)
        .contains("raftmesh_build_info{revision=\"abc123\",version=\"1.2.3\"} 1")
        .contains("raftmesh_raft_role{role=\"follower\"} 1")
        .contains("raftmesh_raft_role{role=\"leader\"} 0")
        .contains("raftmesh_config_delta_streams 7")
        .contains("raftmesh_config_revision 42")
        .contains("# TYPE raftmesh_config_delta_send_duration_seconds histogram")
        .contains("raftmesh_config_delta_send_duration_seconds_bucket{le=\"0.005\"} 1")
        .contains("raftmesh_config_delta_acks_total 1")
        .contains("raftmesh_config_delta_nacks_total 1")
        .contains("raftmesh_config_deltas_sent_total{kind=\"reset\"} 1")
        .contains("raftmesh_ca_certificates_issued_total{kind=\"node\"} 1")
        .contains("raftmesh_ca_enrollment_failures_total{reason=\"token_refused\"} 1")
        .contains("raftmesh_ca_token_uses_total{result=\"ok\"} 1")
        .contains("raftmesh_server_authorization_failures_total{reason=\"no_certificate\"} 1")
        .contains("raftmesh_server_rpcs_total{code=\"OK\",method=\"ConfigService/Apply\"} 1");
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE") && line.endsWith(" counter")) {
        assertThat(line.split(" ")[2]).as("counter names end in _total").endsWith("_total");
      }
      if (!line.startsWith("#") && !line.isBlank()) {
        assertThat(line).startsWith("raftmesh_");
      }
    }
  }
}
