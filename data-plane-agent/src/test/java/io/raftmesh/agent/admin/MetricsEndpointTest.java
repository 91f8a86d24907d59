package io.raftmesh.agent.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The metrics-only listener ({@code --metrics-address}): metrics and health, nothing else. */
class MetricsEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesMetricsAndHealthButNotStatus() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter c = Counter.builder().name("raftmesh_test_events_total").register(registry);
    c.inc(3);
    try (AdminServer m = AdminServer.metricsOnly(new InetSocketAddress("127.0.0.1", 0), registry)) {
      HttpResponse<String> metrics = get(m.port(), "/metrics");
      HttpResponse<String> health = get(m.port(), "/healthz");
      HttpResponse<String> status = get(m.port(), "/status");

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("raftmesh_test_events_total 3.0");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok\n");
      assertThat(status.statusCode()).isEqualTo(404);
      assertThat(status.body()).contains("serves /metrics and /healthz");
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
