package io.raftmesh.agent.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SubscriptionMetricsTest {
  static String scrape(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void exportsRevisionDeltasAnswersAndReconnects() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    SubscriptionMetrics m = new SubscriptionMetrics(registry);
    m.applied(42);
    m.delta(true);
    m.delta(false);
    m.ack();
    m.nack();
    m.ended("error");
    m.connected(true);
    String text = scrape(registry);
    assertThat(text)
        .contains("raftmesh_agent_applied_revision 42.0")
        .contains("raftmesh_agent_deltas_total 2.0")
        .contains("raftmesh_agent_delta_resets_total 1.0")
        .contains("raftmesh_agent_delta_acks_total 1.0")
        .contains("raftmesh_agent_delta_nacks_total 1.0")
        .contains("raftmesh_agent_subscription_reconnects_total{reason=\"error\"} 1.0")
        .contains("raftmesh_agent_subscription_connected 1.0");
  }
}
