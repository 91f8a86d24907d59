package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreMetricsTest {
  @Test
  void scrapeShowsTheStoreSeriesWithTheirValues() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    MemberStatus status =
        new MemberStatus(
            "n1", MemberRole.LEADER, Optional.of("n1"), true, 7, 120, 119, 42, 3, 100, List.of());
    StoreMetrics metrics = new StoreMetrics(registry, () -> status, () -> 2);
    metrics.leaderChanges.inc();
    metrics.applied.labelValues("ok").inc();
    metrics.applyDuration.observe(0.0003);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    String text = out.toString(StandardCharsets.UTF_8);

    assertThat(text)
        .contains("raftmesh_store_revision 42.0")
        .contains("raftmesh_store_compact_revision 3.0")
        .contains("raftmesh_raft_term 7.0")
        .contains("raftmesh_raft_is_leader 1.0")
        .contains("raftmesh_raft_leader_changes_total 1.0")
        .contains("raftmesh_store_applied_total{result=\"ok\"} 1.0")
        .contains("raftmesh_store_apply_duration_seconds_bucket{le=\"5.0E-4\"} 1")
        .contains("raftmesh_store_watches 2.0");
  }
}
