package io.raftmesh.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.DeregisterRequest;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.EndpointRef;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.LoadBalancer;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.Resources;
import io.raftmesh.server.testing.Scrape;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import io.raftmesh.server.testing.xds.WhoBackend;
import io.raftmesh.server.testing.xds.XdsClients;
import io.raftmesh.server.xds.XdsClientStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proxyless grpc-java clients ({@code grpc-xds}, target {@code xds:///<service>.<namespace>}) of a
 * real three-server cluster over mutual TLS with node certificates: calls reach the service's
 * registered endpoints (loopback gRPC servers), follow splits and deregistrations, survive the loss
 * of their control server, and are never left waiting on a removed route or service.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class XdsIT {
  private static final String NS = "xds";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  @TempDir static Path dir;
  static TestCluster cluster;
  static TestAgent b1;
  static TestAgent b2;
  static TestAgent client;
  static Path clientTls;

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(dir, 3);
    apply(
        Resource.newBuilder()
            .setType(ResourceType.MESH_CONFIG)
            .setNamespace("system")
            .setName("default")
            .setMeshConfig(
                MeshConfigSpec.newBuilder()
                    .setTrustDomain("mesh.test")
                    // backends do not heartbeat: keep the reaper away during the test
                    .setEndpointUnhealthyAfter(Durations.fromSeconds(3600))
                    .setEndpointRemoveAfter(Durations.fromSeconds(7200)))
            .build());
    String token = TestAgent.token(cluster, cluster.leader(), 3, Duration.ofMinutes(10));
    b1 = TestAgent.enroll(cluster, cluster.leader(), token, "xds-b1");
    b2 = TestAgent.enroll(cluster, cluster.follower(), token, "xds-b2");
    client = TestAgent.enroll(cluster, cluster.leader(), token, "xds-client");
    clientTls = dir.resolve("client-tls");
    client.tls.write(clientTls);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    cleanup.clear();
  }

  static long apply(Resource... resources) {
    return ConfigServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .apply(ApplyRequest.newBuilder().addAllResources(List.of(resources)).build())
        .getRevision();
  }

  static long delete(ResourceType type, String name) {
    return ConfigServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .delete(DeleteRequest.newBuilder().addKeys(Resources.key(type, NS, name)).build())
        .getRevision();
  }

  static Resource grpcService(String name) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace(NS)
        .setName(name)
        .setService(
            ServiceSpec.newBuilder()
                .setProtocol(Protocol.GRPC)
                .addPorts(ServicePort.newBuilder().setName("grpc").setPort(50051))
                .addSubsets(Subset.newBuilder().setName("v1").putLabels("version", "v1"))
                .addSubsets(Subset.newBuilder().setName("v2").putLabels("version", "v2")))
        .build();
  }

  /** Registers {@code backend} as {@code agent}'s endpoint of {@code service}. */
  static long register(TestAgent agent, String service, WhoBackend backend, String version) {
    return RegistrationServiceGrpc.newBlockingStub(agent.channel(cluster, cluster.follower()))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .register(
            RegisterRequest.newBuilder()
                .addEndpoints(
                    EndpointRegistration.newBuilder()
                        .setNamespace(NS)
                        .setService(service)
                        .setAddress("127.0.0.1")
                        .setPort(backend.port())
                        .putLabels("version", version)
                        .setHealth(HealthStatus.HEALTHY))
                .build())
        .getRevision();
  }

  static long deregister(TestAgent agent, String service) {
    return RegistrationServiceGrpc.newBlockingStub(agent.channel(cluster, cluster.follower()))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .deregister(
            DeregisterRequest.newBuilder()
                .addEndpoints(EndpointRef.newBuilder().setNamespace(NS).setService(service))
                .build())
        .getRevision();
  }

  WhoBackend backend(String name) {
    WhoBackend b = WhoBackend.start(name);
    cleanup.add(b);
    return b;
  }

  ManagedChannel channel(String service, String nodeId) {
    ManagedChannel ch =
        XdsClients.channel(service + "." + NS, XdsClients.servers(cluster), clientTls, nodeId);
    cleanup.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return ch;
  }

  static Map<String, Integer> spread(ManagedChannel ch, int calls) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < calls; i++) {
      counts.merge(WhoBackend.call(ch, 5_000), 1, Integer::sum);
    }
    return counts;
  }

  /** Calls until {@code expected} answers {@code n} times in a row (bounded). */
  static void awaitOnly(ManagedChannel ch, Set<String> expected, int n) {
    int[] run = {0};
    Await.until(
        n + " calls in a row answered by " + expected,
        WAIT,
        () -> {
          run[0] = expected.contains(WhoBackend.call(ch, 5_000)) ? run[0] + 1 : 0;
          return run[0] >= n;
        });
  }

  @Test
  void callsReachTheServiceEndpointsAndFollowA20To80Split() {
    WhoBackend v1 = backend("split-v1");
    WhoBackend v2 = backend("split-v2");
    apply(grpcService("split"));
    register(b1, "split", v1, "v1");
    long registered = register(b2, "split", v2, "v2");
    ManagedChannel ch = channel("split", "split-client");

    Set<String> seen = new HashSet<>();
    Await.until(
        "both endpoints to answer",
        WAIT,
        () -> seen.add(WhoBackend.call(ch, 5_000)) && seen.size() == 2);
    XdsClients.awaitAcked(cluster, "split-client", registered);
    assertThat(spread(ch, 100).keySet()).containsOnly("split-v1", "split-v2");

    long routed = apply(Resources.route(NS, "split", "split", 20, 80));
    XdsClientStatus status = XdsClients.awaitAcked(cluster, "split-client", routed);
    assertThat(status.caller()).isEqualTo("spiffe://mesh.test/node/xds-client");
    Map<String, Integer> counts = spread(ch, 1_000);

    // v1 ~ Binomial(1000, 0.2): sd = 12.6 calls, so 140..260 is +-4.7 sd (false failure ~3e-6).
    assertThat(counts.getOrDefault("split-v1", 0)).isBetween(140, 260);
    assertThat(counts.getOrDefault("split-v1", 0) + counts.getOrDefault("split-v2", 0))
        .isEqualTo(1_000);
  }

  @Test
  void aDeregisteredEndpointStopsReceivingCalls() {
    WhoBackend one = backend("dereg-1");
    WhoBackend two = backend("dereg-2");
    apply(grpcService("dereg"));
    register(b1, "dereg", one, "v1");
    register(b2, "dereg", two, "v1");
    ManagedChannel ch = channel("dereg", "dereg-client");
    Set<String> seen = new HashSet<>();
    Await.until(
        "both endpoints to answer",
        WAIT,
        () -> seen.add(WhoBackend.call(ch, 5_000)) && seen.size() == 2);

    long gone = deregister(b2, "dereg");
    XdsClients.awaitAcked(cluster, "dereg-client", gone);
    awaitOnly(ch, Set.of("dereg-1"), 20);

    assertThat(spread(ch, 200)).containsOnlyKeys("dereg-1");
  }

  @Test
  void removingAWatchedRouteOrServiceNeverStallsTheClient() {
    WhoBackend v1 = backend("gone-v1");
    WhoBackend v2 = backend("gone-v2");
    apply(grpcService("gone"));
    register(b1, "gone", v1, "v1");
    register(b2, "gone", v2, "v2");
    long routed = apply(Resources.route(NS, "gone", "gone", 0, 100));
    ManagedChannel ch = channel("gone", "gone-client");
    XdsClients.awaitAcked(cluster, "gone-client", routed);
    awaitOnly(ch, Set.of("gone-v2"), 20);

    long unrouted = delete(ResourceType.TRAFFIC_ROUTE, "gone");
    XdsClients.awaitAcked(cluster, "gone-client", unrouted);
    Set<String> seen = new HashSet<>();
    Await.until(
        "calls to reach every endpoint once the route is gone",
        WAIT,
        () -> seen.add(WhoBackend.call(ch, 5_000)) && seen.size() == 2);

    deregister(b1, "gone");
    deregister(b2, "gone");
    long deleted = delete(ResourceType.SERVICE, "gone");
    XdsClients.awaitAcked(cluster, "gone-client", deleted);
    // The listener is gone: calls fail at once with UNAVAILABLE instead of waiting out deadlines.
    Await.until(
        "calls to fail fast once the service is deleted",
        WAIT,
        () -> {
          long start = System.nanoTime();
          try {
            WhoBackend.call(ch, 10_000);
            return false;
          } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.UNAVAILABLE
                && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5);
          }
        });

    long back = apply(grpcService("gone"));
    register(b1, "gone", v1, "v1");
    XdsClients.awaitAcked(cluster, "gone-client", back);
    awaitOnly(ch, Set.of("gone-v1"), 10);
  }

  @Test
  void aNackIsRecordedWithItsReasonAndTheRefusedVersionIsNotSentAgain() throws Exception {
    long created = apply(grpcService("nacked"));
    String server = cluster.follower();
    Await.until(
        "the follower's xDS snapshot to include revision " + created,
        WAIT,
        () -> java.util.Objects.requireNonNull(cluster.server(server).xds()).revision() >= created);
    BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(client.channel(cluster, server))
            .streamAggregatedResources(collect(responses));
    cleanup.add(requests::onCompleted);
    DiscoveryRequest ask =
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("raw-client"))
            .setTypeUrl(CDS)
            .addResourceNames(NS + "/nacked")
            .build();
    requests.onNext(ask);
    DiscoveryResponse first = responses.poll(30, TimeUnit.SECONDS);
    assertThat(first).as("the first answer").isNotNull();
    assertThat(first.getResourcesList()).hasSize(1);

    requests.onNext(
        ask.toBuilder()
            .setResponseNonce(first.getNonce())
            .setErrorDetail(
                com.google.rpc.Status.newBuilder().setCode(3).setMessage("test refuses it"))
            .build());
    // java-control-plane's own cache would answer a NACK with the same version at once, in a loop.
    assertThat(responses.poll(2, TimeUnit.SECONDS)).as("the refused version again").isNull();
    XdsClientStatus refused =
        Await.value(
            "the NACK in the client's status",
            WAIT,
            () ->
                XdsClients.find(cluster, "raw-client")
                    .filter(c -> c.nackedRevision() > 0)
                    .orElse(null));
    assertThat(refused.nackedRevision()).isEqualTo(Long.parseLong(first.getVersionInfo()));
    assertThat(refused.nackReason()).isEqualTo("test refuses it");
    assertThat(refused.server()).isEqualTo(server);
    String metrics = Scrape.get(cluster.server(server).metricsPort());
    assertThat(Scrape.value(metrics, "raftmesh_xds_nacks_total{type=\"cluster\"}")).isEqualTo(1.0);
    StatusResponse status =
        ClusterServiceGrpc.newBlockingStub(cluster.admin(server))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .status(StatusRequest.getDefaultInstance());
    assertThat(status.getXdsStreamsList())
        .anySatisfy(
            x -> {
              assertThat(x.getNodeId()).isEqualTo("raw-client");
              assertThat(x.getNackReason()).isEqualTo("test refuses it");
            });

    long changed =
        apply(
            Resource.newBuilder()
                .setType(ResourceType.DESTINATION_POLICY)
                .setNamespace(NS)
                .setName("nacked")
                .setDestinationPolicy(
                    DestinationPolicySpec.newBuilder()
                        .setDestination("nacked")
                        .setLoadBalancer(
                            LoadBalancer.newBuilder().setAlgorithm(LbAlgorithm.LEAST_REQUEST)))
                .build());
    DiscoveryResponse next = responses.poll(30, TimeUnit.SECONDS);
    assertThat(next).as("a newer version after the NACK").isNotNull();
    assertThat(Long.parseLong(next.getVersionInfo())).isEqualTo(changed);
  }

  @Test
  void aDeltaClientGetsOnlyWhatChangedAndRemovals() throws Exception {
    apply(grpcService("delta-a"));
    long created = apply(grpcService("delta-b"));
    String server = cluster.leader();
    Await.until(
        "the leader's xDS snapshot to include revision " + created,
        WAIT,
        () -> java.util.Objects.requireNonNull(cluster.server(server).xds()).revision() >= created);
    BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<DeltaDiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(client.channel(cluster, server))
            .deltaAggregatedResources(collect(responses));
    cleanup.add(requests::onCompleted);
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("delta-client"))
            .setTypeUrl(CDS)
            .addResourceNamesSubscribe(NS + "/delta-a")
            .addResourceNamesSubscribe(NS + "/delta-b")
            .build());
    DeltaDiscoveryResponse first = responses.poll(30, TimeUnit.SECONDS);
    assertThat(first).as("the first delta").isNotNull();
    // In delta ADS, java-control-plane treats CDS as wildcard: every cluster comes.
    assertThat(first.getResourcesList())
        .extracting(io.envoyproxy.envoy.service.discovery.v3.Resource::getName)
        .contains(NS + "/delta-a", NS + "/delta-b", NS + "/delta-b/v2");
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .setResponseNonce(first.getNonce())
            .build());

    long changed =
        apply(
            Resource.newBuilder()
                .setType(ResourceType.DESTINATION_POLICY)
                .setNamespace(NS)
                .setName("delta-a")
                .setDestinationPolicy(
                    DestinationPolicySpec.newBuilder()
                        .setDestination("delta-a")
                        .setLoadBalancer(
                            LoadBalancer.newBuilder().setAlgorithm(LbAlgorithm.LEAST_REQUEST)))
                .build());
    DeltaDiscoveryResponse next = responses.poll(30, TimeUnit.SECONDS);
    assertThat(next).as("the delta after a change").isNotNull();
    assertThat(next.getResourcesList())
        .as("only the clusters that changed")
        .extracting(r -> r.getName() + "@" + r.getVersion())
        .containsExactlyInAnyOrder(
            NS + "/delta-a@" + changed,
            NS + "/delta-a/v1@" + changed,
            NS + "/delta-a/v2@" + changed);
    assertThat(next.getRemovedResourcesList()).isEmpty();
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .setResponseNonce(next.getNonce())
            .build());

    delete(ResourceType.SERVICE, "delta-b");
    DeltaDiscoveryResponse removal = responses.poll(30, TimeUnit.SECONDS);
    assertThat(removal).as("the delta after a removal").isNotNull();
    assertThat(removal.getResourcesList()).isEmpty();
    assertThat(removal.getRemovedResourcesList())
        .containsExactlyInAnyOrder(NS + "/delta-b", NS + "/delta-b/v1", NS + "/delta-b/v2");
    XdsClientStatus status =
        Await.value(
            "the delta client in status",
            WAIT,
            () -> XdsClients.find(cluster, "delta-client").orElse(null));
    assertThat(status.delta()).isTrue();
  }

  static <T> StreamObserver<T> collect(BlockingQueue<T> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T r) {
        into.add(r);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  @Test
  void onlyEnrolledNodesMayOpenAnXdsStream() throws Exception {
    for (var ch : List.of(cluster.admin(cluster.leader()), cluster.anonymous(cluster.leader()))) {
      BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
      java.util.concurrent.CompletableFuture<Throwable> failed =
          new java.util.concurrent.CompletableFuture<>();
      StreamObserver<DiscoveryRequest> requests =
          AggregatedDiscoveryServiceGrpc.newStub(ch)
              .streamAggregatedResources(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse r) {
                      responses.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                      failed.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                      failed.complete(new AssertionError("completed"));
                    }
                  });
      requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(CDS).build());
      Status status = Status.fromThrowable(failed.get(30, TimeUnit.SECONDS));
      assertThat(status.getCode()).isIn(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);
      assertThat(responses).isEmpty();
    }
  }

  @Test
  void keepsWorkingWhenItsControlServerIsKilled() {
    WhoBackend one = backend("kill-1");
    WhoBackend two = backend("kill-2");
    apply(grpcService("kill"));
    register(b1, "kill", one, "v1");
    long registered = register(b2, "kill", two, "v2");
    ManagedChannel ch = channel("kill", "kill-client");
    XdsClientStatus before = XdsClients.awaitAcked(cluster, "kill-client", registered);
    String victim = before.server();

    cluster.stop(victim);
    try {
      assertThat(spread(ch, 100).keySet())
          .as("calls keep working on the cached configuration")
          .containsOnly("kill-1", "kill-2");
      long routed = apply(Resources.route(NS, "kill", "kill", 0, 100));
      XdsClientStatus after = XdsClients.awaitAcked(cluster, "kill-client", routed);
      assertThat(after.server()).isNotEqualTo(victim);
      awaitOnly(ch, Set.of("kill-2"), 20);
    } finally {
      cluster.startServer(victim);
      cluster.awaitLeader();
    }
  }
}
