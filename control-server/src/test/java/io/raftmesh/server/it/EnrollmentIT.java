package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.CertificateResponse;
import io.raftmesh.proto.v1.CertificateServiceGrpc;
import io.raftmesh.proto.v1.CertificateServiceGrpc.CertificateServiceBlockingStub;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.HeartbeatRequest;
import io.raftmesh.proto.v1.JoinTokenRecord;
import io.raftmesh.proto.v1.ListCertificatesRequest;
import io.raftmesh.proto.v1.ListJoinTokensRequest;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.RenewNodeRequest;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.SignWorkloadRequest;
import io.raftmesh.server.testing.Resources;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import io.raftmesh.server.tls.MeshChannels;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrollment and certificates on a real three-server cluster: one-use tokens across a leader kill,
 * TTLs, idempotent retries, races for the last use, workload signing only for hosted services.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EnrollmentIT {
  @TempDir static Path dir;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(dir, 3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static EnrollResponse enroll(String server, EnrollRequest request) {
    ManagedChannel ch =
        MeshChannels.pinned(
            cluster.target(server), cluster.pki().rootFingerprint(), Clock.systemUTC());
    try {
      return EnrollmentServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .enroll(request);
    } finally {
      ch.shutdownNow();
    }
  }

  static Status.Code enrollCode(String server, EnrollRequest request) {
    try {
      enroll(server, request);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  static JoinTokenRecord tokenRecord(String tokenText) {
    String id = tokenText.split("\\.")[2];
    return EnrollmentServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .listJoinTokens(ListJoinTokensRequest.getDefaultInstance())
        .getTokensList()
        .stream()
        .filter(t -> t.getTokenId().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aOneUseTokenWorksExactlyOnceEvenWhenTheLeaderIsKilledBetweenUses() {
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    EnrollResponse first =
        enroll(
            cluster.follower(),
            TestAgent.request(token, "once-a", TestAgent.newKeys(), UUID.randomUUID().toString()));
    assertThat(first.getSpiffeId()).isEqualTo("spiffe://mesh.test/node/once-a");

    String killed = cluster.leader();
    cluster.stop(killed);
    String newLeader = cluster.awaitLeader();
    assertThat(newLeader).isNotEqualTo(killed);

    for (String server : cluster.runningIds()) {
      assertThat(
              enrollCode(
                  server,
                  TestAgent.request(
                      token,
                      "once-b-" + server,
                      TestAgent.newKeys(),
                      UUID.randomUUID().toString())))
          .as("second use through %s", server)
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    cluster.startServer(killed);
    cluster.awaitLeader();
    JoinTokenRecord record = tokenRecord(token);
    assertThat(record.getUses()).isEqualTo(1);
    assertThat(record.getUsedByList()).containsExactly("once-a");
    assertThat(record.getSecretSha256().isEmpty()).as("secret hash is never listed").isTrue();
  }

  @Test
  void theTokenTtlIsEnforced() {
    String token = TestAgent.token(cluster, cluster.leader(), 5, Duration.ofMinutes(1));
    cluster.clock().advance(Duration.ofMinutes(2));
    try {
      StatusRuntimeException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  enroll(
                      cluster.leader(),
                      TestAgent.request(
                          token, "late", TestAgent.newKeys(), UUID.randomUUID().toString())));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(e.getStatus().getDescription())
          .isEqualTo("join token refused (unknown, used up, revoked or expired)");
    } finally {
      cluster.clock().advance(Duration.ofMinutes(-2));
    }
    assertThat(tokenRecord(token).getUses()).isZero();
  }

  @Test
  void aRetryWithTheSameRequestIdGetsTheSameCertificateWithoutASecondUse() {
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    KeyPair keys = TestAgent.newKeys();
    EnrollRequest request = TestAgent.request(token, "retry", keys, UUID.randomUUID().toString());

    EnrollResponse first = enroll(cluster.follower(), request);
    EnrollResponse again = enroll(cluster.leader(), request);

    assertThat(again.getSerial()).isEqualTo(first.getSerial());
    assertThat(again.getCertificateChainPem()).isEqualTo(first.getCertificateChainPem());
    assertThat(tokenRecord(token).getUses()).isEqualTo(1);
    var certs =
        CertificateServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
            .listCertificates(ListCertificatesRequest.newBuilder().setNode("retry").build())
            .getCertificatesList();
    assertThat(certs).hasSize(1);
    assertThat(certs.get(0).getSerial()).isEqualTo(first.getSerial());
  }

  @Test
  void concurrentEnrollmentsGetExactlyAsManyCertificatesAsTheTokenHasUses() throws Exception {
    String token = TestAgent.token(cluster, cluster.leader(), 3, Duration.ofMinutes(10));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Status.Code>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String server = cluster.runningIds().get(i % cluster.runningIds().size());
        EnrollRequest r =
            TestAgent.request(
                token, "race-" + i, TestAgent.newKeys(), UUID.randomUUID().toString());
        results.add(pool.submit(() -> enrollCode(server, r)));
      }
      int ok = 0;
      for (Future<Status.Code> f : results) {
        Status.Code code = f.get(2, TimeUnit.MINUTES);
        assertThat(code).isIn(Status.Code.OK, Status.Code.UNAUTHENTICATED, Status.Code.ABORTED);
        ok += code == Status.Code.OK ? 1 : 0;
      }
      JoinTokenRecord record = tokenRecord(token);
      assertThat(record.getUses()).isEqualTo(ok).isLessThanOrEqualTo(3);
      assertThat(record.getUsedByList()).hasSize(ok);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theNodeCertificateChainsToTheRootAndBadInputIsRefused() {
    String token = TestAgent.token(cluster, cluster.leader(), 3, Duration.ofMinutes(10));
    TestAgent agent = TestAgent.enroll(cluster, cluster.follower(), token, "chain-node");

    List<X509Certificate> chain = Pem.decodeCertificates(agent.enrolled.getCertificateChainPem());
    var verified =
        ChainVerifier.of(agent.tls.trustBundle(), Clock.systemUTC())
            .verify(chain, ChainVerifier.PeerRole.CLIENT);
    assertThat(verified.spiffeId()).isEqualTo(SpiffeId.parse("spiffe://mesh.test/node/chain-node"));
    assertThat(agent.tls.trustBundle().fingerprints()).contains(cluster.pki().rootFingerprint());

    EnrollRequest badCsr =
        TestAgent.request(token, "bad-csr", TestAgent.newKeys(), UUID.randomUUID().toString())
            .toBuilder()
            .setCsrPem(
                "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
            .build();
    assertThat(enrollCode(cluster.leader(), badCsr)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    EnrollRequest badName =
        TestAgent.request(token, "Bad_Name", TestAgent.newKeys(), UUID.randomUUID().toString());
    assertThat(enrollCode(cluster.leader(), badName)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    EnrollRequest takenName =
        TestAgent.request(
            TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10)),
            "chain-node",
            TestAgent.newKeys(),
            UUID.randomUUID().toString());
    assertThat(enrollCode(cluster.leader(), takenName)).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(tokenRecord(token).getUses()).isEqualTo(1);
  }

  @Test
  void aNodeGetsWorkloadCertificatesOnlyForServicesItHosts() {
    ConfigServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
        .apply(
            ApplyRequest.newBuilder()
                .addResources(service("shop", "cart"))
                .addResources(service("shop", "payments"))
                .build());
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    TestAgent agent = TestAgent.enroll(cluster, cluster.leader(), token, "shop-node");
    ManagedChannel ch = agent.channel(cluster, cluster.follower());
    RegistrationServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .register(
            RegisterRequest.newBuilder()
                .addEndpoints(
                    EndpointRegistration.newBuilder()
                        .setNamespace("shop")
                        .setService("cart")
                        .setAddress("10.0.0.1")
                        .setPort(15001)
                        .setHealth(HealthStatus.HEALTHY))
                .build());
    CertificateServiceBlockingStub certs =
        CertificateServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);

    CertificateResponse cart =
        certs.signWorkload(
            SignWorkloadRequest.newBuilder()
                .setNamespace("shop")
                .setService("cart")
                .setCsrPem(Csr.create(TestAgent.newKeys()).toPem())
                .build());
    assertThat(cart.getSpiffeId()).isEqualTo("spiffe://mesh.test/ns/shop/sa/cart");

    assertThatThrownBy(
            () ->
                certs.signWorkload(
                    SignWorkloadRequest.newBuilder()
                        .setNamespace("shop")
                        .setService("payments")
                        .setCsrPem(Csr.create(TestAgent.newKeys()).toPem())
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .contains("node shop-node hosts no endpoint of service shop/payments");
            });
    var recorded =
        CertificateServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
            .listCertificates(ListCertificatesRequest.newBuilder().setNode("shop-node").build())
            .getCertificatesList();
    assertThat(recorded)
        .extracting(r -> r.getSpiffeId())
        .containsExactlyInAnyOrder(
            "spiffe://mesh.test/node/shop-node", "spiffe://mesh.test/ns/shop/sa/cart");

    CertificateResponse renewed =
        certs.renewNode(
            RenewNodeRequest.newBuilder()
                .setCsrPem(Csr.create(TestAgent.newKeys()).toPem())
                .setRequestId(UUID.randomUUID().toString())
                .build());
    assertThat(renewed.getSpiffeId()).isEqualTo("spiffe://mesh.test/node/shop-node");
    assertThat(renewed.getSerial()).isNotEqualTo(agent.enrolled.getSerial());
  }

  @Test
  void aRemovedNodeIsRefusedEvenWithAValidCertificate() {
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    TestAgent agent = TestAgent.enroll(cluster, cluster.leader(), token, "removed-node");
    var registration =
        RegistrationServiceGrpc.newBlockingStub(agent.channel(cluster, cluster.follower()))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThat(registration.heartbeat(HeartbeatRequest.getDefaultInstance()).hasInterval())
        .isTrue();

    ConfigServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
        .delete(
            DeleteRequest.newBuilder()
                .addKeys(Resources.key(ResourceType.NODE, "system", "removed-node"))
                .build());

    // Each server refuses the node as soon as it has applied the removal (milliseconds).
    io.raftmesh.server.testing.Await.until(
        "the follower to refuse the removed node",
        Duration.ofSeconds(10),
        () -> {
          try {
            registration.heartbeat(HeartbeatRequest.getDefaultInstance());
            return false;
          } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("removed-node is not enrolled");
            return true;
          }
        });
  }
}
