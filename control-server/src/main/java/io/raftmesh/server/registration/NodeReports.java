package io.raftmesh.server.registration;

import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.NackRecord;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.config.MeshSettings;
import io.raftmesh.server.config.Nodes;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What agents tell this server (ACKs, NACKs, heartbeats), folded per node in memory and written to
 * the nodes' resources in one transaction per flush (at most one store write per server per flush
 * interval, whatever the number of agents). A node's {@code last_seen} is rewritten only when it is
 * older than a quarter of the mesh's unhealthy-after period, so steady heartbeats cost a few writes
 * per node per period, not one per heartbeat. Each node's write is guarded by a compare on the
 * revision read; a conflicting flush keeps its reports for the next one.
 */
public final class NodeReports {
  private static final Logger LOG = LoggerFactory.getLogger(NodeReports.class);
  private static final int MAX_NODES_PER_FLUSH = 2000;

  private final StoreClient store;
  private final MeshSettings settings;
  private final Clock clock;
  private final ServerMetrics metrics;
  private final Duration timeout;
  private final Object lock = new Object();
  private Map<String, Report> pending = new HashMap<>();

  /** Reports written through {@code store}. */
  public NodeReports(
      StoreClient store,
      MeshSettings settings,
      Clock clock,
      ServerMetrics metrics,
      Duration timeout) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.timeout = timeout;
  }

  /** What is known about one node since the last flush. */
  static final class Report {
    long acked;
    @Nullable NackRecord nack;
    String agentVersion = "";
    Instant seen = Instant.EPOCH;

    void merge(Report o) {
      if (o.acked > acked) {
        acked = o.acked;
      }
      if (o.nack != null && (nack == null || o.nack.getRevision() >= nack.getRevision())) {
        nack = o.nack;
      }
      if (!o.agentVersion.isEmpty()) {
        agentVersion = o.agentVersion;
      }
      if (o.seen.isAfter(seen)) {
        seen = o.seen;
      }
    }
  }

  private Report report(String node) {
    return pending.computeIfAbsent(node, n -> new Report());
  }

  /** The agent on {@code node} applied {@code revision}. */
  public void ack(String node, long revision, String agentVersion) {
    synchronized (lock) {
      Report r = report(node);
      r.acked = Math.max(r.acked, revision);
      if (!agentVersion.isEmpty()) {
        r.agentVersion = agentVersion;
      }
      r.seen = clock.instant();
    }
  }

  /** The agent on {@code node} refused {@code revision} for {@code reason}. */
  public void nack(String node, long revision, String reason) {
    synchronized (lock) {
      Report r = report(node);
      r.nack =
          NackRecord.newBuilder()
              .setRevision(revision)
              .setReason(reason.length() > 1024 ? reason.substring(0, 1024) : reason)
              .setAt(Timestamps.fromMillis(clock.millis()))
              .build();
      r.seen = clock.instant();
    }
  }

  /** The agent on {@code node} is alive (a heartbeat). */
  public void seen(String node) {
    synchronized (lock) {
      report(node).seen = clock.instant();
    }
  }

  /** Writes what was reported since the last flush; returns the number of nodes written. */
  public int flush() {
    Map<String, Report> batch;
    synchronized (lock) {
      if (pending.isEmpty()) {
        return 0;
      }
      batch = pending;
      pending = new HashMap<>();
    }
    Duration liveness = settings.current().unhealthyAfter().dividedBy(4);
    Transaction txn = new Transaction();
    Map<String, Report> carried = new HashMap<>();
    List<String> written = new ArrayList<>();
    for (Map.Entry<String, Report> e : batch.entrySet()) {
      if (written.size() >= MAX_NODES_PER_FLUSH) {
        carried.put(e.getKey(), e.getValue());
        continue;
      }
      QueryResult r =
          PrefixScan.get(store, Nodes.key(e.getKey()), ReadConsistency.stale(0), timeout);
      if (!r.hasKv()) {
        // Not on this replica: removed, or enrolled a moment ago and not applied here yet.
        r = PrefixScan.get(store, Nodes.key(e.getKey()), ReadConsistency.LINEARIZABLE, timeout);
        if (!r.hasKv()) {
          continue;
        }
      }
      KeyValue kv = r.getKv();
      NodeSpec spec = Nodes.spec(kv).orElse(null);
      if (spec == null) {
        continue;
      }
      NodeSpec updated = apply(spec, e.getValue(), liveness);
      if (!updated.equals(spec)) {
        txn.unchanged(kv.getKey(), kv.getModRevision())
            .put(kv.getKey(), Nodes.value(e.getKey(), updated));
        written.add(e.getKey());
        carried.put(e.getKey(), e.getValue());
      }
    }
    if (!txn.hasWrites()) {
      requeue(carried, written, false);
      return 0;
    }
    try {
      StoreResult result =
          PrefixScan.await(store.txn("reports/" + UUID.randomUUID(), txn.build()), timeout);
      if (result.getSucceeded()) {
        metrics.ackFlushes.labelValues("ok").inc();
        requeue(carried, written, true);
        LOG.debug(
            "node reports written nodes={} revision={}", written.size(), result.getRevision());
        return written.size();
      }
      metrics.ackFlushes.labelValues("conflict").inc();
    } catch (RuntimeException e) {
      metrics.ackFlushes.labelValues("error").inc();
      LOG.warn("writing node reports for {} nodes failed: {}", written.size(), e.toString());
    }
    requeue(carried, written, false);
    return 0;
  }

  /** Puts reports back: the ones not written, or all of them after a failed write. */
  private void requeue(Map<String, Report> carried, List<String> written, boolean succeeded) {
    synchronized (lock) {
      for (Map.Entry<String, Report> e : carried.entrySet()) {
        if (succeeded && written.contains(e.getKey())) {
          continue;
        }
        report(e.getKey()).merge(e.getValue());
      }
    }
  }

  /** The node's spec with a report folded in. */
  static NodeSpec apply(NodeSpec spec, Report report, Duration liveness) {
    NodeSpec.Builder b = spec.toBuilder();
    if (report.acked > spec.getAckedRevision()) {
      b.setAckedRevision(report.acked);
      if (spec.hasLastNack() && spec.getLastNack().getRevision() <= report.acked) {
        b.clearLastNack();
      }
    }
    if (report.nack != null
        && report.nack.getRevision() > b.getAckedRevision()
        && !report.nack.equals(spec.getLastNack())) {
      b.setLastNack(report.nack);
    }
    if (!report.agentVersion.isEmpty()) {
      b.setAgentVersion(report.agentVersion);
    }
    Instant recorded = Instant.ofEpochMilli(Timestamps.toMillis(spec.getLastSeen()));
    boolean other = !b.build().equals(spec);
    if (report.seen.isAfter(recorded)
        && (other || Duration.between(recorded, report.seen).compareTo(liveness) >= 0)) {
      b.setLastSeen(Timestamps.fromMillis(report.seen.toEpochMilli()));
    }
    return b.build();
  }
}
