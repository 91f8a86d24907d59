package io.raftmesh.agent.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void scrapeOfAFreshRegistryShowsTheDocumentedSeries() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    ProxyMetrics m = new ProxyMetrics(registry);
    EdgeMetrics e = m.edge("outbound", "shop/web", "shop/api");
    e.recordRequest(200, 2_000_000);
    e.recordRequest(503, 1_000_000);
    m.retries("shop/api").inc();
    m.overflows("shop/api", "max-requests").inc();
    m.ejected("shop/api");
    m.denied("shop/api", "http");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "raftmesh_proxy_requests_total{code_class=\"2xx\",destination=\"shop/api\",direction=\"outbound\",source=\"shop/web\"} 1.0")
        .contains(
            "raftmesh_proxy_requests_total{code_class=\"5xx\",destination=\"shop/api\",direction=\"outbound\",source=\"shop/web\"} 1.0")
        .contains("raftmesh_proxy_request_duration_seconds_bucket{")
        .contains("raftmesh_proxy_retries_total{destination=\"shop/api\"} 1.0")
        .contains(
            "raftmesh_proxy_circuit_breaker_overflows_total{destination=\"shop/api\",limit=\"max-requests\"} 1.0")
        .contains("raftmesh_proxy_ejections_total{destination=\"shop/api\"} 1.0")
        .contains(
            "raftmesh_proxy_authorization_denials_total{destination=\"shop/api\",protocol=\"http\"} 1.0")
        .contains("raftmesh_proxy_tcp_connections_total");
  }

  @Test
  void edgeSummariesAreDeltasWithLatencyBuckets() {
    ProxyMetrics m = new ProxyMetrics(new PrometheusRegistry());
    EdgeMetrics e = m.edge("inbound", "shop/web", "shop/api");
    e.recordRequest(200, 300_000); // 0.3 ms
    e.recordRequest(200, 40_000_000); // 40 ms
    e.recordRequest(500, 40_000_000);
    List<EdgeSummary> s = m.drainEdgeSummaries();
    assertThat(s).hasSize(1);
    EdgeSummary x = s.get(0);
    assertThat(x.requests()).isEqualTo(3);
    assertThat(x.successes()).isEqualTo(2);
    assertThat(x.quantileSeconds(0.3)).isEqualTo(0.0005);
    assertThat(x.quantileSeconds(0.99)).isEqualTo(0.05);
    assertThat(m.drainEdgeSummaries()).isEmpty();
  }

  @Test
  void traceparentKeepsValidTraceIdsAndStartsNewTracesOtherwise() {
    String in = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String out = Traceparent.nextHop(in);
    assertThat(Traceparent.isValid(out)).isTrue();
    assertThat(Traceparent.traceId(out)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(out).doesNotContain("00f067aa0ba902b7").endsWith("-01");
    for (String bad :
        new String[] {
          null,
          "",
          "garbage",
          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
        }) {
      String fresh = Traceparent.nextHop(bad);
      assertThat(Traceparent.isValid(fresh)).isTrue();
      assertThat(Traceparent.traceId(fresh)).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }
  }
}
