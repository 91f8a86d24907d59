package io.raftmesh.agent.proxy.lb;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.proxy.config.EndpointConfig;
import io.raftmesh.agent.proxy.config.MeshSnapshot;
import io.raftmesh.agent.proxy.config.ServiceConfig;
import io.raftmesh.agent.proxy.config.ServiceName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the clusters of each config snapshot, reusing the {@link UpstreamHost} of an endpoint that
 * stays (same service, address and port) so its connections, latency and outlier state carry over.
 * Not thread-safe: the proxy serializes config changes.
 */
public final class ClusterRegistry {
  private final Cluster.EjectionListener listener;
  private Map<String, UpstreamHost> hosts = new HashMap<>();

  /** A registry whose clusters report ejections to {@code listener}. */
  public ClusterRegistry(Cluster.EjectionListener listener) {
    this.listener = requireNonNull(listener, "listener");
  }

  /** The clusters of {@code snapshot} and the hosts that left since the previous call. */
  public Result build(MeshSnapshot snapshot) {
    Map<String, UpstreamHost> next = new HashMap<>();
    Map<ServiceName, Cluster> clusters = new HashMap<>();
    for (ServiceConfig s : snapshot.services().values()) {
      List<UpstreamHost> members = new ArrayList<>();
      for (EndpointConfig e : s.endpoints()) {
        String key = s.name() + "@" + e.hostPort();
        UpstreamHost h = hosts.get(key);
        if (h == null) {
          h = new UpstreamHost(e);
        } else {
          h.update(e);
        }
        if (next.putIfAbsent(key, h) == null) {
          members.add(h);
        }
      }
      clusters.put(s.name(), new Cluster(s, members, listener));
    }
    List<UpstreamHost> removed = new ArrayList<>();
    for (Map.Entry<String, UpstreamHost> e : hosts.entrySet()) {
      if (!next.containsKey(e.getKey())) {
        removed.add(e.getValue());
      }
    }
    hosts = next;
    return new Result(clusters, removed);
  }

  /**
   * What {@link #build} produced.
   *
   * @param clusters the cluster of every service
   * @param removed hosts no longer in the mesh (their idle connections can close)
   */
  public record Result(Map<ServiceName, Cluster> clusters, List<UpstreamHost> removed) {
    /** Copies the collections. */
    public Result {
      clusters = Map.copyOf(clusters);
      removed = List.copyOf(removed);
    }
  }
}
