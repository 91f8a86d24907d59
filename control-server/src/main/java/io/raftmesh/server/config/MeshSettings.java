package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;

/**
 * The mesh-wide settings in effect: the stored MeshConfig {@code system/default} with the defaults
 * of {@code resource.proto} for anything unset. Read from the local replica (a setting that is a
 * few milliseconds old is fine for TTLs and grace periods).
 */
public final class MeshSettings {
  /** Workload certificate lifetime when MeshConfig sets none. */
  public static final Duration WORKLOAD_TTL = Duration.ofHours(24);

  /** Node certificate lifetime when MeshConfig sets none. */
  public static final Duration NODE_TTL = Duration.ofHours(72);

  /** Silence after which a node's endpoints are marked unhealthy, when MeshConfig sets none. */
  public static final Duration UNHEALTHY_AFTER = Duration.ofSeconds(15);

  /** Further silence after which they are removed, when MeshConfig sets none. */
  public static final Duration REMOVE_AFTER = Duration.ofMinutes(5);

  /** The store key of the MeshConfig. */
  public static final ByteString KEY =
      ByteString.copyFrom(
          ResourceKeys.storeKey(
              ResourceKey.newBuilder()
                  .setType(ResourceType.MESH_CONFIG)
                  .setNamespace(ResourceValidator.SYSTEM_NAMESPACE)
                  .setName(ResourceValidator.MESH_CONFIG_NAME)
                  .build()));

  private final StoreClient store;
  private final Duration timeout;

  /** Settings read through {@code store}. */
  public MeshSettings(StoreClient store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  /** The settings now (local replica). */
  public Effective current() {
    QueryResult r = PrefixScan.get(store, KEY, ReadConsistency.stale(0), timeout);
    MeshConfigSpec spec =
        r.hasKv()
            ? StoredResources.decode(r.getKv())
                .map(Resource::getMeshConfig)
                .orElse(MeshConfigSpec.getDefaultInstance())
            : MeshConfigSpec.getDefaultInstance();
    return Effective.of(spec);
  }

  /**
   * Settings with defaults applied.
   *
   * @param workloadTtl workload certificate lifetime
   * @param nodeTtl node certificate lifetime
   * @param unhealthyAfter heartbeat silence before a node's endpoints are marked unhealthy
   * @param removeAfter further silence before they are removed
   */
  public record Effective(
      Duration workloadTtl, Duration nodeTtl, Duration unhealthyAfter, Duration removeAfter) {
    /** Applies the defaults to {@code spec}. */
    public static Effective of(MeshConfigSpec spec) {
      return new Effective(
          spec.hasWorkloadCertTtl() ? javaTime(spec.getWorkloadCertTtl()) : WORKLOAD_TTL,
          spec.hasNodeCertTtl() ? javaTime(spec.getNodeCertTtl()) : NODE_TTL,
          spec.hasEndpointUnhealthyAfter()
              ? javaTime(spec.getEndpointUnhealthyAfter())
              : UNHEALTHY_AFTER,
          spec.hasEndpointRemoveAfter() ? javaTime(spec.getEndpointRemoveAfter()) : REMOVE_AFTER);
    }

    private static Duration javaTime(com.google.protobuf.Duration d) {
      return Duration.ofMillis(Durations.toMillis(d));
    }
  }
}
