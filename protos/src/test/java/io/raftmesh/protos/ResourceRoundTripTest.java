package io.raftmesh.protos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.AuthorizationPolicySpec;
import io.raftmesh.proto.v1.AuthorizationRule;
import io.raftmesh.proto.v1.ConnectionPool;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.FaultAbort;
import io.raftmesh.proto.v1.FaultInjection;
import io.raftmesh.proto.v1.HeaderMatch;
import io.raftmesh.proto.v1.HealthCheck;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.HttpMatch;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.LoadBalancer;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.MtlsMode;
import io.raftmesh.proto.v1.NackRecord;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.OutlierDetection;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.RetryBudget;
import io.raftmesh.proto.v1.RetryPolicy;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every resource type survives the binary and the JSON encodings unchanged. */
class ResourceRoundTripTest {

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  static List<Resource> samples() {
    return List.of(
        meshConfig(),
        service(),
        endpoint(),
        trafficRoute(),
        destinationPolicy(),
        authorizationPolicy(),
        node());
  }

  @ParameterizedTest
  @MethodSource("samples")
  void survivesBinaryEncoding(Resource resource) throws InvalidProtocolBufferException {
    byte[] bytes = resource.toByteArray();

    Resource decoded = Resource.parseFrom(bytes);

    assertThat(decoded).isEqualTo(resource);
    assertThat(bytes).hasSizeGreaterThan(10);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void survivesJsonEncoding(Resource resource) throws InvalidProtocolBufferException {
    String json = PRINTER.print(resource);

    Resource.Builder decoded = Resource.newBuilder();
    PARSER.merge(json, decoded);

    assertThat(decoded.build()).isEqualTo(resource);
    assertThat(json).contains("\"name\": \"" + resource.getName() + "\"");
  }

  @Test
  void samplesCoverEveryResourceType() {
    Set<ResourceType> covered =
        samples().stream().map(Resource::getType).collect(Collectors.toSet());
    Set<ResourceType> all = EnumSet.allOf(ResourceType.class);
    all.remove(ResourceType.RESOURCE_TYPE_UNSPECIFIED);
    all.remove(ResourceType.UNRECOGNIZED);

    assertThat(covered).isEqualTo(all);
    // And each sample's spec case agrees with its declared type.
    for (Resource r : samples()) {
      assertThat(r.getSpecCase().name().replace("_", ""))
          .isEqualTo(r.getType().name().replace("_", ""));
    }
  }

  private static ResourceMeta meta(long revision) {
    return ResourceMeta.newBuilder()
        .putLabels("team", "payments")
        .putAnnotations("owner", "alice@example.org")
        .setCreateRevision(revision)
        .setModRevision(revision + 3)
        .setVersion(4)
        .build();
  }

  private static Duration seconds(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }

  private static Timestamp at(long epochSecond) {
    return Timestamp.newBuilder().setSeconds(epochSecond).setNanos(5_000).build();
  }

  static Resource meshConfig() {
    return Resource.newBuilder()
        .setType(ResourceType.MESH_CONFIG)
        .setNamespace("system")
        .setName("default")
        .setMeta(meta(1))
        .setMeshConfig(
            MeshConfigSpec.newBuilder()
                .setTrustDomain("mesh.example.org")
                .setMtlsMode(MtlsMode.STRICT)
                .setWorkloadCertTtl(seconds(86_400))
                .setNodeCertTtl(seconds(259_200))
                .setDefaultAuthorization(AuthorizationAction.DENY)
                .setEndpointUnhealthyAfter(seconds(15))
                .setEndpointRemoveAfter(seconds(300)))
        .build();
  }

  static Resource service() {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("shop")
        .setName("checkout")
        .setMeta(meta(10))
        .setService(
            ServiceSpec.newBuilder()
                .setProtocol(Protocol.HTTP)
                .addPorts(ServicePort.newBuilder().setName("http").setPort(8080))
                .addPorts(
                    ServicePort.newBuilder()
                        .setName("grpc")
                        .setPort(9090)
                        .setProtocol(Protocol.GRPC))
                .addSubsets(Subset.newBuilder().setName("v1").putLabels("version", "v1"))
                .addSubsets(Subset.newBuilder().setName("v2").putLabels("version", "v2"))
                .setDescription("Takes the money"))
        .build();
  }

  static Resource endpoint() {
    return Resource.newBuilder()
        .setType(ResourceType.ENDPOINT)
        .setNamespace("shop")
        .setName("checkout.node-a")
        .setMeta(meta(20))
        .setEndpoint(
            EndpointSpec.newBuilder()
                .setService("checkout")
                .setNode("node-a")
                .setAddress("127.0.0.1")
                .setPort(15006)
                .setHealth(HealthStatus.HEALTHY)
                .setWeight(2)
                .setLocality("eu/zone-1")
                .setRegisteredAt(at(1_790_000_000L)))
        .build();
  }

  static Resource trafficRoute() {
    return Resource.newBuilder()
        .setType(ResourceType.TRAFFIC_ROUTE)
        .setNamespace("shop")
        .setName("checkout")
        .setMeta(meta(30))
        .setTrafficRoute(
            TrafficRouteSpec.newBuilder()
                .setDestination("checkout")
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("canary-header")
                        .addMatches(
                            HttpMatch.newBuilder()
                                .setPathPrefix("/api")
                                .setMethod("POST")
                                .addHeaders(
                                    HeaderMatch.newBuilder().setName("x-canary").setExact("1")))
                        .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(100))
                        .setTimeout(seconds(2))
                        .setRetry(
                            RetryPolicy.newBuilder()
                                .setAttempts(3)
                                .setPerTryTimeout(seconds(1))
                                .addRetryOn("5xx")
                                .addRetryOn("connect-failure"))
                        .setFault(
                            FaultInjection.newBuilder()
                                .setAbort(
                                    FaultAbort.newBuilder().setHttpStatus(503).setPercentage(0.5))))
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("default")
                        .addSplit(WeightedTarget.newBuilder().setSubset("v1").setWeight(90))
                        .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(10))))
        .build();
  }

  static Resource destinationPolicy() {
    return Resource.newBuilder()
        .setType(ResourceType.DESTINATION_POLICY)
        .setNamespace("shop")
        .setName("checkout")
        .setMeta(meta(40))
        .setDestinationPolicy(
            DestinationPolicySpec.newBuilder()
                .setDestination("checkout")
                .setLoadBalancer(
                    LoadBalancer.newBuilder()
                        .setAlgorithm(LbAlgorithm.RING_HASH)
                        .setHashHeader("x-user"))
                .setConnectionPool(
                    ConnectionPool.newBuilder()
                        .setMaxConnections(100)
                        .setMaxPendingRequests(50)
                        .setMaxRequests(200)
                        .setConnectTimeout(seconds(1)))
                .setOutlierDetection(
                    OutlierDetection.newBuilder()
                        .setConsecutive5Xx(5)
                        .setBaseEjectionTime(seconds(30))
                        .setMaxEjectionPercent(50))
                .setHealthCheck(
                    HealthCheck.newBuilder().setHttpPath("/healthz").setInterval(seconds(5)))
                .setRetryBudget(RetryBudget.newBuilder().setRatio(0.2).setMinRetriesPerSecond(10)))
        .build();
  }

  static Resource authorizationPolicy() {
    return Resource.newBuilder()
        .setType(ResourceType.AUTHORIZATION_POLICY)
        .setNamespace("shop")
        .setName("checkout")
        .setMeta(meta(50))
        .setAuthorizationPolicy(
            AuthorizationPolicySpec.newBuilder()
                .setDestination("checkout")
                .setDefaultAction(AuthorizationAction.DENY)
                .addRules(
                    AuthorizationRule.newBuilder()
                        .setAction(AuthorizationAction.ALLOW)
                        .addSources("spiffe://mesh.example.org/ns/shop/sa/frontend")
                        .addMethods("GET")
                        .addPathPrefixes("/api/"))
                .addRules(
                    AuthorizationRule.newBuilder()
                        .setAction(AuthorizationAction.DENY)
                        .addSources("spiffe://mesh.example.org/ns/untrusted/sa/*")))
        .build();
  }

  static Resource node() {
    return Resource.newBuilder()
        .setType(ResourceType.NODE)
        .setNamespace("system")
        .setName("node-a")
        .setMeta(meta(60))
        .setNode(
            NodeSpec.newBuilder()
                .setSpiffeId("spiffe://mesh.example.org/node/node-a")
                .setAddress("127.0.0.1")
                .setCertificateSerial("7f3a9c")
                .setCertificateNotAfter(at(1_790_086_400L))
                .setAckedRevision(59)
                .setLastNack(
                    NackRecord.newBuilder()
                        .setRevision(58)
                        .setReason("route shop/checkout: subset v3 unknown")
                        .setAt(at(1_790_000_100L)))
                .setEnrolledAt(at(1_790_000_000L))
                .setAgentVersion("0.1.0")
                .setLastSeen(at(1_790_000_200L)))
        .build();
  }
}
