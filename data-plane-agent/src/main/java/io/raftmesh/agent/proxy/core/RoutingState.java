package io.raftmesh.agent.proxy.core;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.proxy.config.MeshSnapshot;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.lb.Cluster;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything a new request or connection consults, at one config revision. Immutable; the proxy
 * swaps the whole object on reload, and a request reads it once when it starts, so it sees one
 * consistent revision from start to end.
 *
 * @param snapshot the translated mesh
 * @param clusters the cluster of each service
 */
public record RoutingState(MeshSnapshot snapshot, Map<ServiceName, Cluster> clusters) {

  /** Copies the map. */
  public RoutingState {
    requireNonNull(snapshot, "snapshot");
    clusters = Map.copyOf(clusters);
  }

  /** The cluster of {@code service}, or null when the mesh does not know it. */
  public @Nullable Cluster cluster(ServiceName service) {
    return clusters.get(service);
  }
}
