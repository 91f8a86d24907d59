package io.raftmesh.store;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Supplier;

/**
 * The store's Prometheus metrics, registered in the registry given to {@link StoreMember#start}.
 * Series:
 *
 * <ul>
 *   <li>{@code raftmesh_store_revision}, {@code raftmesh_store_compact_revision}, {@code
 *       raftmesh_store_applied_index} (gauges, local replica)
 *   <li>{@code raftmesh_raft_term}, {@code raftmesh_raft_commit_index}, {@code
 *       raftmesh_raft_is_leader}, {@code raftmesh_raft_has_leader} (gauges)
 *   <li>{@code raftmesh_raft_leader_changes_total} (counter: leader changes seen)
 *   <li>{@code raftmesh_store_apply_duration_seconds} (histogram: one entry's WriteBatch)
 *   <li>{@code raftmesh_store_applied_total{result="ok|refused|duplicate"}} (counter)
 *   <li>{@code raftmesh_store_replay_skipped_total} (counter: replayed entries RocksDB held)
 *   <li>{@code raftmesh_store_snapshots_total}, {@code raftmesh_store_snapshot_duration_seconds}
 *   <li>{@code raftmesh_store_snapshot_installs_total} (counter: snapshots installed from a leader)
 *   <li>{@code raftmesh_store_watches} (gauge: running watches)
 * </ul>
 *
 * No label carries a key, a request id or a member id: cardinality stays fixed.
 */
public final class StoreMetrics {
  final Counter leaderChanges;
  final Histogram applyDuration;
  final Counter applied;
  final Counter replaySkipped;
  final Counter snapshots;
  final Histogram snapshotDuration;
  final Counter snapshotInstalls;

  StoreMetrics(
      PrometheusRegistry registry, Supplier<MemberStatus> status, Supplier<Integer> watches) {
    leaderChanges =
        Counter.builder()
            .name("raftmesh_raft_leader_changes_total")
            .help("Leader changes this member has seen")
            .register(registry);
    applyDuration =
        Histogram.builder()
            .name("raftmesh_store_apply_duration_seconds")
            .help("Time to apply one log entry to RocksDB (one WriteBatch)")
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1)
            .register(registry);
    applied =
        Counter.builder()
            .name("raftmesh_store_applied_total")
            .help("Log entries applied, by result")
            .labelNames("result")
            .register(registry);
    replaySkipped =
        Counter.builder()
            .name("raftmesh_store_replay_skipped_total")
            .help("Replayed log entries skipped because RocksDB already held them")
            .register(registry);
    snapshots =
        Counter.builder()
            .name("raftmesh_store_snapshots_total")
            .help("Snapshots (RocksDB checkpoints) taken")
            .register(registry);
    snapshotDuration =
        Histogram.builder()
            .name("raftmesh_store_snapshot_duration_seconds")
            .help("Time to take one snapshot")
            .classicUpperBounds(0.01, 0.05, 0.1, 0.5, 1, 5, 30)
            .register(registry);
    snapshotInstalls =
        Counter.builder()
            .name("raftmesh_store_snapshot_installs_total")
            .help("Snapshots installed from the leader")
            .register(registry);
    gauge(
        registry,
        "raftmesh_store_revision",
        "Store revision of the local replica",
        () -> status.get().revision());
    gauge(
        registry,
        "raftmesh_store_compact_revision",
        "Change-log floor of the local replica",
        () -> status.get().compactRevision());
    gauge(
        registry,
        "raftmesh_store_applied_index",
        "Raft index applied on this member",
        () -> status.get().appliedIndex());
    gauge(registry, "raftmesh_raft_term", "Current Raft term", () -> status.get().term());
    gauge(
        registry,
        "raftmesh_raft_commit_index",
        "Highest Raft index known committed",
        () -> status.get().commitIndex());
    gauge(
        registry,
        "raftmesh_raft_is_leader",
        "1 when this member leads",
        () -> status.get().role() == MemberRole.LEADER ? 1 : 0);
    gauge(
        registry,
        "raftmesh_raft_has_leader",
        "1 when this member knows a leader",
        () -> status.get().leaderId().isPresent() ? 1 : 0);
    gauge(
        registry, "raftmesh_store_watches", "Running watches on this member", () -> watches.get());
  }

  private static void gauge(
      PrometheusRegistry registry, String name, String help, Supplier<Number> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(
            cb -> {
              try {
                cb.call(value.get().doubleValue());
              } catch (StoreException e) {
                // Not started or stopped: no sample.
              }
            })
        .register(registry);
  }
}
