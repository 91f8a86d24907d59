package io.raftmesh.server.xds;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.raftmesh.proto.v1.ConnectionPool;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.Subset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Service, Endpoint and DestinationPolicy to Cluster (type EDS over ADS) and ClusterLoadAssignment:
 * one cluster for all of a service's endpoints and one per subset. Assignments hold healthy
 * endpoints only (HEALTHY, or not yet checked), grouped by locality ({@code region/zone}) with the
 * locality weighted by the sum of its endpoints' weights (grpc-java ignores a locality without a
 * weight).
 */
final class ClusterTranslation {
  private ClusterTranslation() {}

  /** The clusters and their assignments, by name. */
  record Output(Map<String, Cluster> clusters, Map<String, ClusterLoadAssignment> assignments) {}

  static Output translate(MeshResources mesh) {
    Map<String, Cluster> clusters = new TreeMap<>();
    Map<String, ClusterLoadAssignment> assignments = new TreeMap<>();
    Map<String, List<Resource>> endpoints =
        mesh.byService(io.raftmesh.proto.v1.ResourceType.ENDPOINT);
    Map<String, List<Resource>> policies =
        mesh.byService(io.raftmesh.proto.v1.ResourceType.DESTINATION_POLICY);
    for (Resource service : mesh.all(io.raftmesh.proto.v1.ResourceType.SERVICE)) {
      String ns = service.getNamespace();
      String key = ns + "/" + service.getName();
      List<Resource> eps = endpoints.getOrDefault(key, List.of());
      List<Resource> ps = policies.getOrDefault(key, List.of());
      DestinationPolicySpec policy = ps.isEmpty() ? null : ps.get(0).getDestinationPolicy();
      String all = XdsNames.cluster(ns, service.getName());
      clusters.put(all, cluster(all, policy));
      assignments.put(all, assignment(all, eps, null));
      for (Subset subset : service.getService().getSubsetsList()) {
        String name = XdsNames.cluster(ns, service.getName(), subset.getName());
        clusters.put(name, cluster(name, policy));
        assignments.put(name, assignment(name, eps, subset));
      }
    }
    return new Output(clusters, assignments);
  }

  static Cluster cluster(String name, @Nullable DestinationPolicySpec policy) {
    Cluster.Builder c =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder().setServiceName(name).setEdsConfig(ads()))
            .setConnectTimeout(Durations.fromSeconds(1));
    if (policy == null) {
      return c.build();
    }
    c.setLbPolicy(lbPolicy(policy));
    if (policy.hasConnectionPool()) {
      ConnectionPool pool = policy.getConnectionPool();
      if (pool.hasConnectTimeout() && positive(pool.getConnectTimeout())) {
        c.setConnectTimeout(pool.getConnectTimeout());
      }
      c.setCircuitBreakers(
          CircuitBreakers.newBuilder()
              .addThresholds(
                  CircuitBreakers.Thresholds.newBuilder()
                      .setMaxConnections(u32(orDefault(pool.getMaxConnections(), 1024)))
                      .setMaxPendingRequests(u32(orDefault(pool.getMaxPendingRequests(), 1024)))
                      .setMaxRequests(u32(orDefault(pool.getMaxRequests(), 1024)))));
    }
    if (policy.hasOutlierDetection()) {
      io.raftmesh.proto.v1.OutlierDetection od = policy.getOutlierDetection();
      Duration base =
          od.hasBaseEjectionTime() && positive(od.getBaseEjectionTime())
              ? od.getBaseEjectionTime()
              : Durations.fromSeconds(30);
      c.setOutlierDetection(
          OutlierDetection.newBuilder()
              .setConsecutive5Xx(u32(orDefault(od.getConsecutive5Xx(), 5)))
              .setConsecutiveLocalOriginFailure(
                  u32(orDefault(od.getConsecutiveConnectFailures(), 5)))
              .setBaseEjectionTime(base)
              .setMaxEjectionPercent(u32(orDefault(od.getMaxEjectionPercent(), 50))));
    }
    return c.build();
  }

  /**
   * Our algorithm to Envoy's. Envoy has no peak-EWMA balancer; LEAST_REQUEST (power of two choices
   * on outstanding requests) is the nearest, so PEAK_EWMA and the default map to it.
   */
  static Cluster.LbPolicy lbPolicy(DestinationPolicySpec policy) {
    return switch (policy.getLoadBalancer().getAlgorithm()) {
      case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
      case RING_HASH -> Cluster.LbPolicy.RING_HASH;
      default -> Cluster.LbPolicy.LEAST_REQUEST;
    };
  }

  static ClusterLoadAssignment assignment(
      String cluster, List<Resource> endpoints, @Nullable Subset subset) {
    Map<String, LocalityLbEndpoints.Builder> localities = new TreeMap<>();
    Map<String, Integer> weights = new TreeMap<>();
    for (Resource r : endpoints) {
      EndpointSpec e = r.getEndpoint();
      if (!healthy(e.getHealth()) || (subset != null && !inSubset(r, subset))) {
        continue;
      }
      int weight = e.getWeight() == 0 ? 1 : e.getWeight();
      String locality = e.getLocality();
      localities
          .computeIfAbsent(locality, l -> LocalityLbEndpoints.newBuilder().setLocality(locality(l)))
          .addLbEndpoints(
              LbEndpoint.newBuilder()
                  .setEndpoint(
                      Endpoint.newBuilder()
                          .setAddress(
                              Address.newBuilder()
                                  .setSocketAddress(
                                      SocketAddress.newBuilder()
                                          .setAddress(e.getAddress())
                                          .setPortValue(e.getPort()))))
                  .setHealthStatus(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY)
                  .setLoadBalancingWeight(u32(weight)));
      weights.merge(locality, weight, Integer::sum);
    }
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(cluster);
    localities.forEach(
        (l, b) ->
            cla.addEndpoints(b.setLoadBalancingWeight(u32(weights.getOrDefault(l, 1))).build()));
    return cla.build();
  }

  /** HEALTHY, or unknown (not yet checked: treated as healthy for routing). */
  static boolean healthy(HealthStatus h) {
    return h == HealthStatus.HEALTHY || h == HealthStatus.HEALTH_UNKNOWN;
  }

  static boolean inSubset(Resource endpoint, Subset subset) {
    Map<String, String> labels = endpoint.getMeta().getLabelsMap();
    for (Map.Entry<String, String> want : subset.getLabelsMap().entrySet()) {
      if (!want.getValue().equals(labels.get(want.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static Locality locality(String regionZone) {
    Locality.Builder l = Locality.newBuilder();
    int slash = regionZone.indexOf('/');
    if (slash < 0) {
      l.setRegion(regionZone);
    } else {
      l.setRegion(regionZone.substring(0, slash)).setZone(regionZone.substring(slash + 1));
    }
    return l.build();
  }

  /** A config source that says "over the same ADS stream". */
  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  static UInt32Value u32(int v) {
    return UInt32Value.of(v);
  }

  private static int orDefault(int v, int dflt) {
    return v == 0 ? dflt : v;
  }

  private static boolean positive(Duration d) {
    return d.getSeconds() > 0 || (d.getSeconds() == 0 && d.getNanos() > 0);
  }
}
