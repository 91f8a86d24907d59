package io.raftmesh.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceYamlTest {

  private static final String MESH =
      """
      kind: Service
      metadata:
        name: checkout
        namespace: shop
        labels: {team: payments}
      spec:
        protocol: http
        ports: [{name: http, port: 8080}]
        subsets:
        - name: v1
          labels: {version: v1}
        - name: v2
          labels: {version: v2}
      ---
      kind: TrafficRoute
      metadata: {name: checkout, namespace: shop}
      spec:
        destination: checkout
        routes:
        - name: canary
          matches:
          - pathPrefix: /api
            headers: [{name: x-canary, exact: "1"}]
          split: [{subset: v2, weight: 100}]
          timeout: 2s
          retry: {attempts: 3, perTryTimeout: 500ms, retryOn: [5xx, connect-failure]}
        - name: default
          split:
          - {subset: v1, weight: 90}
          - {subset: v2, weight: 10}
      ---
      kind: DestinationPolicy
      metadata: {name: checkout, namespace: shop}
      spec:
        destination: checkout
        load_balancer: {algorithm: round-robin}
      """;

  @Test
  void parsesEveryDocumentOfAStream() {
    List<Resource> resources = ResourceYaml.parse(MESH);

    assertThat(resources)
        .extracting(Resource::getType)
        .containsExactly(
            ResourceType.SERVICE, ResourceType.TRAFFIC_ROUTE, ResourceType.DESTINATION_POLICY);
    Resource route = resources.get(1);
    assertThat(route.getNamespace()).isEqualTo("shop");
    assertThat(route.getTrafficRoute().getRoutes(0).getTimeout().getSeconds()).isEqualTo(2);
    assertThat(route.getTrafficRoute().getRoutes(0).getRetry().getPerTryTimeout().getNanos())
        .isEqualTo(500_000_000);
    assertThat(route.getTrafficRoute().getRoutes(0).getMatches(0).getHeaders(0).getExact())
        .isEqualTo("1");
    assertThat(resources.get(2).getDestinationPolicy().getLoadBalancer().getAlgorithm())
        .isEqualTo(LbAlgorithm.ROUND_ROBIN);
    assertThat(resources.get(0).getMeta().getLabelsMap()).containsEntry("team", "payments");
  }

  @Test
  void printedYamlParsesBackToTheSameResources() {
    List<Resource> resources = ResourceYaml.parse(MESH);

    String printed = ResourceYaml.print(resources);

    assertThat(ResourceYaml.parse(printed)).isEqualTo(resources);
    assertThat(printed).contains("kind: TrafficRoute").contains("apiVersion: raftmesh.io/v1");
  }

  @Test
  void namespaceDefaultsToDefault() {
    Resource r =
        ResourceYaml.parse(
                "kind: Service\nmetadata: {name: a}\nspec: {ports: [{name: p, port: 1}]}")
            .get(0);

    assertThat(r.getNamespace()).isEqualTo("default");
  }

  @Test
  void unknownFieldIsNamedWithItsPathAndTheAlternatives() {
    String yaml =
        "kind: TrafficRoute\nmetadata: {name: r, namespace: shop}\n"
            + "spec: {destination: a, routes: [{name: x, splt: []}]}";

    assertThatThrownBy(() -> ResourceYaml.parse(yaml))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining(
            "document 1 (TrafficRoute shop/r): spec.routes[0].splt: unknown field")
        .hasMessageContaining("expected one of: name, matches, split, timeout, retry, fault");
  }

  @Test
  void reportsEveryProblemOfEveryDocument() {
    String yaml =
        """
        kind: Service
        metadata: {name: a}
        spec: {ports: [{name: p, port: -1}], protocol: carrier-pigeon}
        ---
        kind: Gadget
        metadata: {name: b}
        spec: {}
        ---
        kind: TrafficRoute
        metadata: {name: c}
        spec:
          routes: [{name: r, timeout: 5, matches: [{exactPath: /a, pathPrefix: /b}]}]
        """;

    assertThatThrownBy(() -> ResourceYaml.parse(yaml))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.violations())
                    .extracting(Violations.Violation::toString)
                    .anySatisfy(
                        s ->
                            assertThat(s)
                                .contains("spec.ports[0].port: -1 (expected: 0..4294967295)"))
                    .anySatisfy(
                        s ->
                            assertThat(s)
                                .contains(
                                    "spec.protocol: \"carrier-pigeon\" (expected: one of TCP, HTTP, HTTP2, GRPC)"))
                    .anySatisfy(s -> assertThat(s).contains("document 2: kind: \"Gadget\""))
                    .anySatisfy(
                        s -> assertThat(s).contains("spec.routes[0].timeout: 5 without a unit"))
                    .anySatisfy(
                        s -> assertThat(s).contains("pathPrefix: set together with exactPath")));
  }

  @Test
  void brokenYamlSaysWhere() {
    assertThatThrownBy(() -> ResourceYaml.parse("kind: Service\nmetadata: {name: [\n"))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("yaml: not valid YAML")
        .hasMessageContaining("line");
  }

  @Test
  void documentWithoutNameOrSpecIsRefused() {
    assertThatThrownBy(() -> ResourceYaml.parse("kind: Service\nmetadata: {namespace: x}\n"))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("metadata.name: missing")
        .hasMessageContaining("spec: missing");
  }
}
