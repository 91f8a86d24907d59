package io.raftmesh.agent.proxy.config;

import static io.raftmesh.agent.proxy.testing.Resources.authz;
import static io.raftmesh.agent.proxy.testing.Resources.endpoint;
import static io.raftmesh.agent.proxy.testing.Resources.meshConfig;
import static io.raftmesh.agent.proxy.testing.Resources.policy;
import static io.raftmesh.agent.proxy.testing.Resources.route;
import static io.raftmesh.agent.proxy.testing.Resources.rule;
import static io.raftmesh.agent.proxy.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.LoadBalancer;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.RetryPolicy;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshTranslatorTest {
  private static final String TD = "mesh.test";
  private final MeshTranslator translator = new MeshTranslator(TD);

  private static List<Resource> base() {
    List<Resource> r = new ArrayList<>();
    r.add(meshConfig(TD, false));
    r.add(service("shop", "api", Protocol.HTTP, "v1:version=v1", "v2:version=v2"));
    r.add(endpoint("shop", "api", "n1", 1001, Map.of("version", "v1")));
    r.add(endpoint("shop", "api", "n2", 1002, Map.of("version", "v2")));
    return r;
  }

  private static Resource split(int w1, int w2, String subset2) {
    return route(
        "shop",
        "api",
        TrafficRouteSpec.newBuilder()
            .setDestination("api")
            .addRoutes(
                HttpRoute.newBuilder()
                    .addSplit(WeightedTarget.newBuilder().setSubset("v1").setWeight(w1))
                    .addSplit(WeightedTarget.newBuilder().setSubset(subset2).setWeight(w2)))
            .build());
  }

  @Test
  void translatesServicesEndpointsAndRoutes() throws Exception {
    List<Resource> r = base();
    r.add(split(90, 10, "v2"));
    MeshSnapshot s = translator.translate(r, 7);
    assertThat(s.revision()).isEqualTo(7);
    ServiceConfig api = java.util.Objects.requireNonNull(s.service(new ServiceName("shop", "api")));
    assertThat(api).isNotNull();
    assertThat(api.protocol()).isEqualTo(AppProtocol.HTTP);
    assertThat(api.endpoints())
        .extracting(EndpointConfig::port)
        .containsExactlyInAnyOrder(1001, 1002);
    assertThat(api.routes()).hasSize(1);
    assertThat(api.routes().get(0).split())
        .extracting(WeightedTargetConfig::weight)
        .containsExactly(90, 10);
    assertThat(api.destination()).isEqualTo(DestinationConfig.DEFAULT);
  }

  @Test
  void rejectsSplitWeightsNotAddingUpTo100NamingTheResource() {
    List<Resource> r = base();
    r.add(split(90, 5, "v2"));
    assertThatThrownBy(() -> translator.translate(r, 1))
        .isInstanceOf(ProxyConfigException.class)
        .hasMessageContaining("/traffic-route/shop/api")
        .hasMessageContaining("routes[0].split")
        .hasMessageContaining("weights add up to 95 (expected: 100)");
  }

  @Test
  void rejectsUnknownSubset() {
    List<Resource> r = base();
    r.add(split(50, 50, "v3"));
    assertThatThrownBy(() -> translator.translate(r, 1))
        .isInstanceOf(ProxyConfigException.class)
        .hasMessageContaining("subset: v3 (expected: a subset declared by Service shop/api)");
  }

  @Test
  void rejectsRingHashWithoutHeaderAndUnknownRetryCondition() {
    List<Resource> r = base();
    r.add(
        policy(
            "shop",
            "api",
            DestinationPolicySpec.newBuilder()
                .setDestination("api")
                .setLoadBalancer(LoadBalancer.newBuilder().setAlgorithm(LbAlgorithm.RING_HASH))
                .build()));
    assertThatThrownBy(() -> translator.translate(r, 1))
        .hasMessageContaining("load_balancer.hash_header");
    List<Resource> r2 = base();
    r2.add(
        route(
            "shop",
            "api",
            TrafficRouteSpec.newBuilder()
                .setDestination("api")
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setRetry(RetryPolicy.newBuilder().setAttempts(3).addRetryOn("sometimes")))
                .build()));
    assertThatThrownBy(() -> translator.translate(r2, 1))
        .hasMessageContaining("routes[0].retry.retry_on: sometimes");
  }

  @Test
  void rejectsForeignTrustDomainAndPoliciesForMissingServices() {
    List<Resource> r = base();
    r.set(0, meshConfig("other.domain", false));
    assertThatThrownBy(() -> translator.translate(r, 1))
        .hasMessageContaining("trust_domain: other.domain");
    List<Resource> r2 = base();
    r2.add(authz("shop", "ghost", AuthorizationAction.ALLOW));
    assertThatThrownBy(() -> translator.translate(r2, 1))
        .hasMessageContaining(
            "destination: ghost (expected: an existing Service in namespace shop)");
  }

  @Test
  void rejectsMalformedSourcePattern() {
    List<Resource> r = base();
    r.add(authz("shop", "api", AuthorizationAction.DENY, rule(AuthorizationAction.ALLOW, "web")));
    assertThatThrownBy(() -> translator.translate(r, 1))
        .hasMessageContaining("rules[0].sources[0]: web");
  }

  @Test
  void strictModeDeniesAndPermissiveModeAllowsByDefault() throws Exception {
    ServiceName api = new ServiceName("shop", "api");
    MeshSnapshot strict = translator.translate(base(), 1);
    assertThat(
            strict
                .authorization(api)
                .allowsRequest("spiffe://mesh.test/ns/shop/sa/web", "GET", "/"))
        .isFalse();
    List<Resource> r = base();
    r.set(0, meshConfig(TD, true));
    MeshSnapshot permissive = translator.translate(r, 2);
    assertThat(permissive.permissive()).isTrue();
    assertThat(permissive.authorization(api).allowsRequest(null, "GET", "/")).isTrue();
  }

  @Test
  void skipsEndpointsOfUnknownServices() throws Exception {
    List<Resource> r = base();
    r.add(endpoint("shop", "ghost", "n1", 2000, Map.of()));
    assertThat(translator.translate(r, 1).services())
        .containsOnlyKeys(new ServiceName("shop", "api"));
  }
}
