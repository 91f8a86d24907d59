package io.raftmesh.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TelemetryMetricsTest {

  @Test
  void aFreshRegistryExposesReportResultsDropsAndWindowSize() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    TelemetryMetrics m = new TelemetryMetrics(registry, () -> 3);
    m.reports.labelValues("denied").inc();
    m.droppedEdges.inc(2);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    String text = out.toString(StandardCharsets.UTF_8);

    assertThat(text)
        .contains("raftmesh_telemetry_reports_total{result=\"ok\"} 0")
        .contains("raftmesh_telemetry_reports_total{result=\"denied\"} 1")
        .contains("raftmesh_telemetry_reports_total{result=\"invalid\"} 0")
        .contains("raftmesh_telemetry_dropped_edges_total 2")
        .contains("raftmesh_telemetry_window_edges 3");
  }
}
