package io.raftmesh.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.raftmesh.proto.v1.ConnectionPool;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.HttpMatch;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.LoadBalancer;
import io.raftmesh.proto.v1.OutlierDetection;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.RetryPolicy;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import io.raftmesh.server.testing.Resources;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class TranslationTest {

  static <T> T must(@Nullable T value) {
    return java.util.Objects.requireNonNull(value);
  }

  static Resource endpoint(String node, String version, HealthStatus health, String locality) {
    return Resource.newBuilder()
        .setType(ResourceType.ENDPOINT)
        .setNamespace("shop")
        .setName("api." + node)
        .setMeta(ResourceMeta.newBuilder().putLabels("version", version))
        .setEndpoint(
            EndpointSpec.newBuilder()
                .setService("api")
                .setNode(node)
                .setAddress("10.0.0." + node.substring(1))
                .setPort(15001)
                .setHealth(health)
                .setLocality(locality))
        .build();
  }

  static MeshResources mesh(Resource... extra) {
    MeshResources m = new MeshResources();
    m.put(Resources.service("shop", "api"));
    m.put(endpoint("n1", "v1", HealthStatus.HEALTHY, "eu/a"));
    m.put(endpoint("n2", "v2", HealthStatus.HEALTH_UNKNOWN, "eu/a"));
    m.put(endpoint("n3", "v2", HealthStatus.UNHEALTHY, "eu/b"));
    m.put(endpoint("n4", "v2", HealthStatus.DRAINING, "eu/b"));
    for (Resource r : extra) {
      m.put(r);
    }
    return m;
  }

  static List<String> addresses(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream()
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .toList();
  }

  @Test
  void assignmentsHoldOnlyHealthyEndpointsPerSubsetWithWeightedLocalities() {
    ClusterTranslation.Output out = ClusterTranslation.translate(mesh());

    assertThat(out.clusters()).containsOnlyKeys("shop/api", "shop/api/v1", "shop/api/v2");
    assertThat(addresses(must(out.assignments().get("shop/api"))))
        .containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(addresses(must(out.assignments().get("shop/api/v1")))).containsExactly("10.0.0.1");
    assertThat(addresses(must(out.assignments().get("shop/api/v2")))).containsExactly("10.0.0.2");
    LocalityLbEndpoints locality = must(out.assignments().get("shop/api")).getEndpoints(0);
    assertThat(locality.getLocality().getRegion()).isEqualTo("eu");
    assertThat(locality.getLocality().getZone()).isEqualTo("a");
    assertThat(locality.getLoadBalancingWeight().getValue()).isEqualTo(2);
    Cluster c = must(out.clusters().get("shop/api/v1"));
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(c.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(c.getEdsClusterConfig().getServiceName()).isEqualTo("shop/api/v1");
  }

  @Test
  void destinationPolicyBecomesLbPolicyCircuitBreakersAndOutlierDetection() {
    Resource policy =
        Resource.newBuilder()
            .setType(ResourceType.DESTINATION_POLICY)
            .setNamespace("shop")
            .setName("api")
            .setDestinationPolicy(
                DestinationPolicySpec.newBuilder()
                    .setDestination("api")
                    .setLoadBalancer(
                        LoadBalancer.newBuilder().setAlgorithm(LbAlgorithm.ROUND_ROBIN))
                    .setConnectionPool(
                        ConnectionPool.newBuilder()
                            .setMaxRequests(100)
                            .setConnectTimeout(Durations.fromMillis(250)))
                    .setOutlierDetection(
                        OutlierDetection.newBuilder()
                            .setConsecutive5Xx(3)
                            .setMaxEjectionPercent(30)))
            .build();

    Cluster c = must(ClusterTranslation.translate(mesh(policy)).clusters().get("shop/api/v2"));

    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(c.getConnectTimeout()).isEqualTo(Durations.fromMillis(250));
    assertThat(c.getCircuitBreakers().getThresholds(0).getMaxRequests().getValue()).isEqualTo(100);
    assertThat(c.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue())
        .isEqualTo(1024);
    assertThat(c.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(3);
    assertThat(c.getOutlierDetection().getMaxEjectionPercent().getValue()).isEqualTo(30);
    assertThat(c.getOutlierDetection().getBaseEjectionTime()).isEqualTo(Durations.fromSeconds(30));
  }

  @Test
  void trafficRouteBecomesMatchesWeightedClustersRetriesAndTimeoutsBeforeADefaultRoute() {
    Resource route =
        Resources.route("shop", "api", "api", 20, 80).toBuilder()
            .setTrafficRoute(
                TrafficRouteSpec.newBuilder()
                    .setDestination("api")
                    .addRoutes(
                        HttpRoute.newBuilder()
                            .setName("admin")
                            .addMatches(HttpMatch.newBuilder().setPathPrefix("/admin"))
                            .addMatches(HttpMatch.newBuilder().setExactPath("/debug"))
                            .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(100))
                            .setTimeout(Durations.fromSeconds(2))
                            .setRetry(
                                RetryPolicy.newBuilder()
                                    .setAttempts(3)
                                    .addRetryOn("503")
                                    .addRetryOn("retriable-status-codes")))
                    .addRoutes(
                        HttpRoute.newBuilder()
                            .setName("split")
                            .addSplit(WeightedTarget.newBuilder().setSubset("v1").setWeight(20))
                            .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(80))))
            .build();

    RouteTranslation.Output out = RouteTranslation.translate(mesh(route));

    RouteConfiguration rc = must(out.routes().get("api.shop"));
    List<Route> routes = rc.getVirtualHosts(0).getRoutesList();
    assertThat(rc.getVirtualHosts(0).getDomainsList()).containsExactly("*");
    assertThat(routes)
        .extracting(Route::getName)
        .containsExactly("api/admin/0", "api/admin/1", "api/split", "default");
    assertThat(routes.get(0).getMatch().getPrefix()).isEqualTo("/admin");
    assertThat(routes.get(1).getMatch().getPath()).isEqualTo("/debug");
    assertThat(routes.get(0).getRoute().getCluster()).isEqualTo("shop/api/v2");
    assertThat(routes.get(0).getRoute().getMaxStreamDuration().getMaxStreamDuration())
        .isEqualTo(Durations.fromSeconds(2));
    var retry = routes.get(0).getRoute().getRetryPolicy();
    assertThat(retry.getNumRetries().getValue()).isEqualTo(2);
    assertThat(retry.getRetryOn()).isEqualTo("retriable-status-codes,unavailable");
    assertThat(retry.getRetriableStatusCodesList()).containsExactly(503);
    var split = routes.get(2).getRoute().getWeightedClusters().getClustersList();
    assertThat(split)
        .extracting(c -> c.getName() + "=" + c.getWeight().getValue())
        .containsExactly("shop/api/v1=20", "shop/api/v2=80");
    assertThat(routes.get(3).getRoute().getCluster()).isEqualTo("shop/api");
  }

  @Test
  void everyServiceGetsAnApiListenerWithTheRouterFilterAndRdsOverAds()
      throws InvalidProtocolBufferException {
    Listener l = must(RouteTranslation.translate(mesh()).listeners().get("api.shop"));

    HttpConnectionManager hcm =
        l.getApiListener().getApiListener().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("api.shop");
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFiltersList())
        .last()
        .satisfies(f -> assertThat(f.getName()).isEqualTo("envoy.filters.http.router"));
  }
}
