package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.DeregisterRequest;
import io.raftmesh.proto.v1.EndpointRef;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.HealthReport;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.HeartbeatRequest;
import io.raftmesh.proto.v1.HeartbeatResponse;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegisterResponse;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.RegistrationServiceGrpc.RegistrationServiceBlockingStub;
import io.raftmesh.proto.v1.ReportHealthRequest;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.Resources;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registration on a real three-server cluster: nodes write only their own endpoints, for existing
 * services; a node that stops heartbeating has its endpoints marked unhealthy, restored when it
 * comes back, and removed after the grace period, by the leader through Raft.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RegistrationIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir static Path dir;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(dir, 3);
    ConfigServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .apply(
            ApplyRequest.newBuilder()
                .addResources(
                    Resource.newBuilder()
                        .setType(ResourceType.MESH_CONFIG)
                        .setNamespace("system")
                        .setName("default")
                        .setMeshConfig(
                            MeshConfigSpec.newBuilder()
                                .setTrustDomain("mesh.test")
                                .setEndpointUnhealthyAfter(Durations.fromSeconds(2))
                                .setEndpointRemoveAfter(Durations.fromSeconds(3))))
                .addResources(service("reg", "api"))
                .addResources(service("reg", "web"))
                .build());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static RegistrationServiceBlockingStub registration(TestAgent agent, String server) {
    return RegistrationServiceGrpc.newBlockingStub(agent.channel(cluster, server))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  static EndpointRegistration endpoint(String service) {
    return EndpointRegistration.newBuilder()
        .setNamespace("reg")
        .setService(service)
        .setAddress("10.0.0.7")
        .setPort(15001)
        .putLabels("version", "v1")
        .setHealth(HealthStatus.HEALTHY)
        .build();
  }

  static Optional<Resource> stored(String name) {
    try {
      return Optional.of(
          ConfigServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .get(
                  GetRequest.newBuilder()
                      .setKey(Resources.key(ResourceType.ENDPOINT, "reg", name))
                      .build())
              .getResource());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Test
  void aNodeRegistersItsOwnEndpointsForExistingServicesOnly() {
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    TestAgent agent = TestAgent.enroll(cluster, cluster.leader(), token, "reg-a");
    RegistrationServiceBlockingStub reg = registration(agent, cluster.follower());

    RegisterResponse r =
        reg.register(RegisterRequest.newBuilder().addEndpoints(endpoint("web")).build());
    Resource e = r.getEndpoints(0);
    assertThat(e.getName()).isEqualTo("web.reg-a");
    assertThat(e.getEndpoint().getNode())
        .as("the node comes from the certificate")
        .isEqualTo("reg-a");
    assertThat(e.getMeta().getLabelsMap()).containsEntry("version", "v1");

    StatusRuntimeException unknown =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                reg.register(RegisterRequest.newBuilder().addEndpoints(endpoint("nope")).build()));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(unknown.getStatus().getDescription()).contains("endpoints[0].service");

    long revision =
        reg.reportHealth(
                ReportHealthRequest.newBuilder()
                    .addReports(
                        HealthReport.newBuilder()
                            .setEndpoint(
                                EndpointRef.newBuilder().setNamespace("reg").setService("web"))
                            .setHealth(HealthStatus.DRAINING))
                    .build())
            .getRevision();
    assertThat(stored("web.reg-a").orElseThrow().getEndpoint().getHealth())
        .isEqualTo(HealthStatus.DRAINING);
    long same =
        reg.reportHealth(
                ReportHealthRequest.newBuilder()
                    .addReports(
                        HealthReport.newBuilder()
                            .setEndpoint(
                                EndpointRef.newBuilder().setNamespace("reg").setService("web"))
                            .setHealth(HealthStatus.DRAINING))
                    .build())
            .getRevision();
    assertThat(stored("web.reg-a").orElseThrow().getMeta().getModRevision())
        .isEqualTo(revision)
        .isLessThanOrEqualTo(same);

    assertThat(reg.deregister(DeregisterRequest.newBuilder().setAll(true).build()).getRemoved())
        .isEqualTo(1);
    assertThat(stored("web.reg-a")).isEmpty();
  }

  @Test
  void aSilentNodesEndpointsAreMarkedUnhealthyThenRestoredThenRemoved() throws Exception {
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    TestAgent agent = TestAgent.enroll(cluster, cluster.leader(), token, "reg-b");
    RegistrationServiceBlockingStub reg = registration(agent, cluster.follower());
    reg.register(RegisterRequest.newBuilder().addEndpoints(endpoint("api")).build());
    AtomicBoolean beating = new AtomicBoolean(true);
    Thread heart =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                if (beating.get()) {
                  try {
                    HeartbeatResponse h =
                        RegistrationServiceGrpc.newBlockingStub(
                                agent.channel(cluster, cluster.follower()))
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .heartbeat(HeartbeatRequest.getDefaultInstance());
                    assertThat(Durations.toMillis(h.getInterval())).isBetween(100L, 1000L);
                  } catch (RuntimeException e) {
                    // the next beat retries
                  }
                }
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "test-heartbeat");
    heart.start();
    try {
      Await.sleep(3000);
      assertThat(stored("api.reg-b").orElseThrow().getEndpoint().getHealth())
          .as("a heartbeating node stays healthy past the unhealthy-after period")
          .isEqualTo(HealthStatus.HEALTHY);

      beating.set(false);
      Await.until(
          "the silent node's endpoint to be marked unhealthy",
          WAIT,
          () ->
              stored("api.reg-b")
                  .map(r -> r.getEndpoint().getHealth() == HealthStatus.UNHEALTHY)
                  .orElse(false));
      assertThat(stored("api.reg-b").orElseThrow().getMeta().getAnnotationsMap())
          .containsEntry("raftmesh.io/reported-health", "HEALTHY");

      beating.set(true);
      Await.until(
          "the endpoint to be restored when the node is heard again",
          WAIT,
          () ->
              stored("api.reg-b")
                  .map(r -> r.getEndpoint().getHealth() == HealthStatus.HEALTHY)
                  .orElse(false));
      assertThat(stored("api.reg-b").orElseThrow().getMeta().getAnnotationsMap()).isEmpty();

      beating.set(false);
      Await.until(
          "the endpoint to be removed after the grace period",
          WAIT,
          () -> stored("api.reg-b").isEmpty());
    } finally {
      heart.interrupt();
      heart.join(10_000);
    }
  }
}
