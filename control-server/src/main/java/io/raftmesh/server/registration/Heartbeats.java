package io.raftmesh.server.registration;

import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.config.ConfigMarker;
import io.raftmesh.server.config.Endpoints;
import io.raftmesh.server.config.MeshSettings;
import io.raftmesh.server.config.Nodes;
import io.raftmesh.server.config.StoredResources;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's heartbeat job: a node silent for longer than MeshConfig's {@code
 * endpointUnhealthyAfter} has its endpoints marked UNHEALTHY (the health the agent reported is kept
 * in an annotation and restored when the node is heard from again); after a further {@code
 * endpointRemoveAfter} they are removed. Endpoints of a node that no longer exists are removed at
 * once. Silence is measured from the node's recorded {@code last_seen} (see {@link NodeReports});
 * each change is guarded by compares on the endpoint and its node, so a heartbeat recorded
 * meanwhile wins. Runs only on the leader, reading its own replica (which has applied every
 * committed write once the leader is ready).
 */
public final class Heartbeats {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

  /** Marks an endpoint whose health the control plane overrode because its node went silent. */
  static final String SILENT = "raftmesh.io/node-silent-since";

  /** The health the agent last reported, while {@link #SILENT} overrides it. */
  static final String REPORTED = "raftmesh.io/reported-health";

  private static final int MAX_CHANGES = 500;

  private final StoreClient store;
  private final MeshSettings settings;
  private final Clock clock;
  private final ServerMetrics metrics;
  private final Duration timeout;

  /** The job, writing through {@code store}. */
  public Heartbeats(
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

  /** The endpoint with the health its agent reported, any silence override removed. */
  static Resource reported(Resource endpoint, HealthStatus health) {
    ResourceMeta meta =
        endpoint.getMeta().toBuilder()
            .removeAnnotations(SILENT)
            .removeAnnotations(REPORTED)
            .build();
    return endpoint.toBuilder()
        .setMeta(meta)
        .setEndpoint(endpoint.getEndpoint().toBuilder().setHealth(health))
        .build();
  }

  /** One pass; returns the number of endpoints changed. */
  public int run() {
    List<KeyValue> endpoints =
        PrefixScan.scan(store, Endpoints.prefix(), ReadConsistency.stale(0), 1_000_000, timeout)
            .kvs();
    if (endpoints.isEmpty()) {
      return 0;
    }
    MeshSettings.Effective s = settings.current();
    Instant now = clock.instant();
    // Node keys are /node/system/<name>: index them by name, decode only the ones needed.
    Map<String, KeyValue> nodes = new HashMap<>();
    for (KeyValue kv :
        PrefixScan.scan(store, Nodes.prefix(), ReadConsistency.stale(0), 1_000_000, timeout)
            .kvs()) {
      String key = kv.getKey().toStringUtf8();
      nodes.put(key.substring(key.lastIndexOf('/') + 1), kv);
    }
    Transaction txn = new Transaction();
    int unhealthy = 0;
    int removed = 0;
    int restored = 0;
    for (KeyValue kv : endpoints) {
      if (unhealthy + removed + restored >= MAX_CHANGES) {
        break;
      }
      Resource endpoint = StoredResources.decode(kv).orElse(null);
      if (endpoint == null || !endpoint.hasEndpoint()) {
        continue;
      }
      EndpointSpec spec = endpoint.getEndpoint();
      KeyValue nodeKv = nodes.get(spec.getNode());
      NodeSpec node = nodeKv == null ? null : Nodes.spec(nodeKv).orElse(null);
      if (nodeKv == null || node == null) {
        txn.unchanged(kv.getKey(), kv.getModRevision())
            .absent(Nodes.key(spec.getNode()))
            .delete(kv.getKey());
        removed++;
        continue;
      }
      Duration silence =
          Duration.between(Instant.ofEpochMilli(Timestamps.toMillis(node.getLastSeen())), now);
      boolean overridden = endpoint.getMeta().containsAnnotations(SILENT);
      Resource updated = null;
      if (silence.compareTo(s.unhealthyAfter().plus(s.removeAfter())) > 0) {
        txn.unchanged(kv.getKey(), kv.getModRevision())
            .unchanged(nodeKv.getKey(), nodeKv.getModRevision())
            .delete(kv.getKey());
        removed++;
        continue;
      } else if (silence.compareTo(s.unhealthyAfter()) > 0) {
        if (!overridden) {
          updated =
              endpoint.toBuilder()
                  .setMeta(
                      endpoint.getMeta().toBuilder()
                          .putAnnotations(SILENT, Timestamps.toString(node.getLastSeen()))
                          .putAnnotations(REPORTED, spec.getHealth().name()))
                  .setEndpoint(spec.toBuilder().setHealth(HealthStatus.UNHEALTHY))
                  .build();
          unhealthy++;
        }
      } else if (overridden) {
        HealthStatus health;
        try {
          health =
              HealthStatus.valueOf(
                  endpoint.getMeta().getAnnotationsOrDefault(REPORTED, "HEALTH_UNKNOWN"));
        } catch (IllegalArgumentException e) {
          health = HealthStatus.HEALTH_UNKNOWN;
        }
        updated = reported(endpoint, health);
        restored++;
      }
      if (updated != null) {
        txn.unchanged(kv.getKey(), kv.getModRevision())
            .unchanged(nodeKv.getKey(), nodeKv.getModRevision())
            .put(kv.getKey(), StoredResources.value(updated));
      }
    }
    if (!txn.hasWrites()) {
      return 0;
    }
    ConfigMarker.touch(txn);
    StoreResult result =
        PrefixScan.await(store.txn("heartbeats/" + UUID.randomUUID(), txn.build()), timeout);
    if (!result.getSucceeded()) {
      LOG.debug("heartbeat pass raced with a write; next pass decides again");
      return 0;
    }
    PrefixScan.announceCommit(store);
    metrics.endpointsExpired.labelValues("unhealthy").inc(unhealthy);
    metrics.endpointsExpired.labelValues("removed").inc(removed);
    metrics.endpointsExpired.labelValues("restored").inc(restored);
    LOG.info(
        "heartbeat pass revision={} marked_unhealthy={} removed={} restored={}",
        result.getRevision(),
        unhealthy,
        removed,
        restored);
    return unhealthy + removed + restored;
  }
}
