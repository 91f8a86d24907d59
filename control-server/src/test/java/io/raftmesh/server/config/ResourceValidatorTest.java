package io.raftmesh.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ServiceSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceValidatorTest {

  private final ResourceValidator validator = new ResourceValidator();

  private static final String SERVICE =
      """
      kind: Service
      metadata: {name: checkout, namespace: shop}
      spec:
        protocol: http
        ports: [{name: http, port: 8080}]
        subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
      """;

  private static List<Resource> yaml(String text) {
    return ResourceYaml.parse(text);
  }

  private static Catalog catalogWith(List<Resource> services) {
    Map<String, ServiceSpec> byName = new java.util.HashMap<>();
    for (Resource r : services) {
      byName.put(r.getNamespace() + "/" + r.getName(), r.getService());
    }
    return (ns, name) -> Optional.ofNullable(byName.get(ns + "/" + name));
  }

  private static String route(String split) {
    return """
        kind: TrafficRoute
        metadata: {name: checkout, namespace: shop}
        spec:
          destination: checkout
          routes:
          - name: a
            split: [{subset: v1, weight: 100}]
          - name: b
            split: [{subset: v1, weight: 100}]
          - name: c
            split: %s
        """
        .formatted(split);
  }

  @Test
  void acceptsAValidBatchWhoseServiceComesInTheSameBatch() {
    List<Resource> batch =
        yaml(SERVICE + "---\n" + route("[{subset: v1, weight: 90}, {subset: v2, weight: 10}]"));

    assertThatCode(() -> validator.validateBatch(batch, Catalog.empty()))
        .doesNotThrowAnyException();
  }

  @Test
  void weightOutOfRangeNamesTheFieldPath() {
    List<Resource> batch = yaml(route("[{subset: v1, weight: 140}]"));

    assertThatThrownBy(() -> validator.validateBatch(batch, catalogWith(yaml(SERVICE))))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessage(
            "trafficRoute[shop/checkout].spec.routes[2].split[0].weight: 140 (expected: 0..100)");
  }

  @Test
  void retryBackoffCapBelowTheDefaultBaseIsRefused() {
    String capOnly =
        """
        kind: TrafficRoute
        metadata: {name: checkout, namespace: shop}
        spec:
          destination: checkout
          routes:
          - name: a
            split: [{subset: v1, weight: 100}]
            retry: {attempts: 3, backoffMax: 10ms}
        """;
    assertThatThrownBy(() -> validator.validateBatch(yaml(capOnly), catalogWith(yaml(SERVICE))))
        .hasMessageContaining(
            "spec.routes[0].retry.backoffMax: \"10ms\" (expected: at least backoffBase 25ms, the"
                + " default when backoffBase is unset)");
    String withBase = capOnly.replace("backoffMax: 10ms", "backoffBase: 5ms, backoffMax: 10ms");
    assertThatCode(() -> validator.validateBatch(yaml(withBase), catalogWith(yaml(SERVICE))))
        .doesNotThrowAnyException();
  }

  @Test
  void weightsMustAddUpTo100() {
    List<Resource> batch = yaml(route("[{subset: v1, weight: 50}, {subset: v2, weight: 20}]"));

    assertThatThrownBy(() -> validator.validateBatch(batch, catalogWith(yaml(SERVICE))))
        .hasMessageContaining(
            "spec.routes[2].split[*].weight: sum 70 (expected: weights that add up to 100)");
  }

  @Test
  void routeToUnknownSubsetIsRefusedNamingTheKnownOnes() {
    List<Resource> batch = yaml(route("[{subset: v3, weight: 100}]"));

    assertThatThrownBy(() -> validator.validateBatch(batch, catalogWith(yaml(SERVICE))))
        .hasMessage(
            "trafficRoute[shop/checkout].spec.routes[2].split[0].subset: \"v3\" (expected: a subset of service shop/checkout: v1, v2)");
  }

  @Test
  void routeToUnknownServiceIsRefused() {
    List<Resource> batch = yaml(route("[{service: payments, weight: 100}]"));

    assertThatThrownBy(() -> validator.validateBatch(batch, catalogWith(yaml(SERVICE))))
        .hasMessageContaining(
            "spec.routes[2].split[0].service: \"payments\" (expected: an existing Service in namespace shop)");
    assertThatThrownBy(() -> validator.validateBatch(batch, Catalog.empty()))
        .hasMessageContaining(
            "spec.destination: \"checkout\" (expected: an existing Service in namespace shop)");
  }

  @Test
  void endpointsAndNodesCannotBeAppliedByPeople() {
    List<Resource> batch =
        yaml(
            """
            kind: Endpoint
            metadata: {name: checkout.node-a, namespace: shop}
            spec: {service: checkout, node: node-a, address: 127.0.0.1, port: 15006}
            """);

    assertThatThrownBy(() -> validator.validateBatch(batch, catalogWith(yaml(SERVICE))))
        .hasMessageContaining("Endpoints are written by the control plane and agents");
  }

  @Test
  void theSameResourceTwiceInABatchIsRefused() {
    List<Resource> batch = yaml(SERVICE + "---\n" + SERVICE);

    assertThatThrownBy(() -> validator.validateBatch(batch, Catalog.empty()))
        .hasMessageContaining("service[shop/checkout]: appears twice in the batch");
  }

  @Test
  void reportsStructuralProblemsOfEachResource() {
    List<Resource> batch =
        yaml(
            """
            kind: Service
            metadata: {name: Bad_Name, namespace: shop}
            spec: {ports: [{name: http, port: 0}, {name: http, port: 80}], subsets: [{name: v1}]}
            ---
            kind: DestinationPolicy
            metadata: {name: p, namespace: shop}
            spec:
              destination: checkout
              loadBalancer: {algorithm: ring-hash}
              outlierDetection: {maxEjectionPercent: 150}
              retryBudget: {ratio: 1.5}
            ---
            kind: MeshConfig
            metadata: {name: main}
            spec: {trustDomain: "Mesh Example", workloadCertTtl: 5s}
            """);

    assertThatThrownBy(() -> validator.validateBatch(batch, catalogWith(yaml(SERVICE))))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.violations())
                    .extracting(Violations.Violation::toString)
                    .anySatisfy(
                        s -> assertThat(s).startsWith("service[shop/Bad_Name].name: \"Bad_Name\""))
                    .anySatisfy(
                        s -> assertThat(s).contains("spec.ports[0].port: 0 (expected: 1..65535)"))
                    .anySatisfy(
                        s ->
                            assertThat(s)
                                .contains(
                                    "spec.ports[1].name: \"http\" (expected: unique within the service)"))
                    .anySatisfy(s -> assertThat(s).contains("spec.subsets[0].labels: empty"))
                    .anySatisfy(
                        s ->
                            assertThat(s)
                                .contains(
                                    "loadBalancer.hashHeader: \"\" (empty) (expected: an HTTP header name, required by RING_HASH)"))
                    .anySatisfy(
                        s ->
                            assertThat(s)
                                .contains(
                                    "outlierDetection.maxEjectionPercent: 150 (expected: 0..100)"))
                    .anySatisfy(
                        s -> assertThat(s).contains("retryBudget.ratio: 1.5 (expected: 0..1)"))
                    .anySatisfy(
                        s ->
                            assertThat(s).contains("meshConfig[system/main].name: \"system/main\""))
                    .anySatisfy(s -> assertThat(s).contains("spec.trustDomain: \"Mesh Example\""))
                    .anySatisfy(
                        s ->
                            assertThat(s)
                                .contains("spec.workloadCertTtl: \"5s\" (expected: 10s..30d)")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*",
        "spiffe://mesh.example.org",
        "spiffe://mesh.example.org/ns/shop/sa/frontend",
        "spiffe://mesh.example.org/ns/shop/sa/*",
        "spiffe://mesh.example.org/ns/*/sa/frontend",
        "spiffe://*/ns/shop/sa/frontend",
        "spiffe://mesh.example.org/ns/shop/**"
      })
  void acceptsSourcePatterns(String pattern) {
    assertThat(ResourceValidator.sourcePatternProblem(pattern)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "**",
        "http://mesh.example.org/ns/shop",
        "spiffe://Mesh.Example/ns",
        "spiffe://mesh.example.org/ns//sa",
        "spiffe://mesh.example.org/ns/**/sa",
        "spiffe://mesh.example.org/ns/sh*p",
        "spiffe://mesh.example.org/ns/../sa",
        "spiffe://mesh.example.org/ns/shop/"
      })
  void refusesBadSourcePatterns(String pattern) {
    assertThat(ResourceValidator.sourcePatternProblem(pattern)).isNotNull();
  }

  @Test
  void authorizationRulesNeedAnAction() {
    List<Resource> batch =
        yaml(
            """
            kind: AuthorizationPolicy
            metadata: {name: checkout, namespace: shop}
            spec:
              destination: checkout
              rules:
              - sources: ["spiffe://mesh.example.org/ns/shop/sa/frontend"]
                methods: [get]
            """);

    assertThatThrownBy(() -> validator.validateBatch(batch, catalogWith(yaml(SERVICE))))
        .hasMessageContaining("spec.rules[0].action: missing (expected: ALLOW or DENY)")
        .hasMessageContaining("spec.rules[0].methods[0]: \"get\"");
  }
}
