package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ClusterServiceGrpc.ClusterServiceBlockingStub;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.ListMembersRequest;
import io.raftmesh.proto.v1.Member;
import io.raftmesh.proto.v1.MembersResponse;
import io.raftmesh.proto.v1.SaveSnapshotRequest;
import io.raftmesh.proto.v1.SnapshotChunk;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import io.raftmesh.proto.v1.TransferLeadershipRequest;
import io.raftmesh.server.admin.BackupStream;
import io.raftmesh.server.config.StoredResources;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.Scrape;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ClusterService and metrics on a real three-server cluster. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterApiIT {
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

  static ClusterServiceBlockingStub clusterApi(String server) {
    return ClusterServiceGrpc.newBlockingStub(cluster.admin(server))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @Test
  void statusShowsMembersWithTheirAddressesAndTheLeader() {
    String leader = cluster.leader();
    Await.until(
        "every server's API address in the status",
        Duration.ofSeconds(30),
        () ->
            clusterApi(cluster.follower())
                .status(StatusRequest.getDefaultInstance())
                .getMembersList()
                .stream()
                .allMatch(m -> !m.getApiAddress().isEmpty()));
    StatusResponse s = clusterApi(cluster.follower()).status(StatusRequest.getDefaultInstance());

    assertThat(s.getLeaderId()).isEqualTo(leader);
    assertThat(s.getTrustDomain()).isEqualTo("mesh.test");
    assertThat(s.getMembersList())
        .extracting(Member::getId)
        .containsExactlyInAnyOrder("n1", "n2", "n3");
    for (Member m : s.getMembersList()) {
      assertThat(m.getApiAddress()).isEqualTo(cluster.target(m.getId()));
    }
    assertThat(s.getMembersList())
        .filteredOn(m -> m.getRole().equals("LEADER"))
        .extracting(Member::getId)
        .containsExactly(leader);
    assertThat(s.hasIssuerNotAfter()).isTrue();
    assertThat(s.getAppliedIndex()).isPositive();

    StatusResponse fromLeader = clusterApi(leader).status(StatusRequest.getDefaultInstance());
    assertThat(fromLeader.getMembersList())
        .filteredOn(m -> !m.getId().equals(leader))
        .allSatisfy(m -> assertThat(m.getMatchIndex()).isPositive());
  }

  @Test
  void leadershipMovesOnRequest() {
    String leader = cluster.leader();
    String target = cluster.follower();
    MembersResponse r =
        clusterApi(target)
            .transferLeadership(TransferLeadershipRequest.newBuilder().setId(target).build());
    assertThat(r.getMembersCount()).isEqualTo(3);
    Await.until(
        "leadership to move to " + target,
        Duration.ofSeconds(30),
        () -> cluster.leader().equals(target));
    assertThat(cluster.leader()).isNotEqualTo(leader);
    MembersResponse listed =
        clusterApi(leader).listMembers(ListMembersRequest.getDefaultInstance());
    assertThat(listed.getLeaderId()).isEqualTo(target);
  }

  @Test
  void saveSnapshotStreamsAVerifiableBackupWithEveryAcknowledgedWrite() throws Exception {
    long revision =
        ConfigServiceGrpc.newBlockingStub(cluster.admin(cluster.leader()))
            .apply(ApplyRequest.newBuilder().addResources(service("backup", "svc")).build())
            .getRevision();

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Iterator<SnapshotChunk> chunks =
        clusterApi(cluster.follower()).saveSnapshot(SaveSnapshotRequest.getDefaultInstance());
    while (chunks.hasNext()) {
      chunks.next().getData().writeTo(bytes);
    }

    BackupStream.Parsed parsed = BackupStream.read(new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(parsed.header().getRevision()).isGreaterThanOrEqualTo(revision);
    assertThat(parsed.header().getServerId()).isEqualTo(cluster.follower());
    assertThat(parsed.entries())
        .extracting(kv -> kv.getKey().toStringUtf8())
        .contains("/service/backup/svc", "_ca/issuer");
    KeyValue svc =
        parsed.entries().stream()
            .filter(kv -> kv.getKey().toStringUtf8().equals("/service/backup/svc"))
            .findFirst()
            .orElseThrow();
    assertThat(StoredResources.decode(svc).orElseThrow().getName()).isEqualTo("svc");
    assertThat(svc.getModRevision()).isEqualTo(revision);

    byte[] corrupted = bytes.toByteArray();
    corrupted[corrupted.length / 2] ^= 0x01;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BackupStream.read(new ByteArrayInputStream(corrupted)))
        .isInstanceOfAny(IllegalArgumentException.class, java.io.IOException.class);
  }

  @Test
  void onlyAdminsChangeMembership() {
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    TestAgent node = TestAgent.enroll(cluster, cluster.leader(), token, "curious-node");
    var asNode =
        ClusterServiceGrpc.newBlockingStub(node.channel(cluster, cluster.leader()))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThat(asNode.status(StatusRequest.getDefaultInstance()).getServerId())
        .isEqualTo(cluster.leader());
    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> asNode.transferLeadership(TransferLeadershipRequest.getDefaultInstance()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(
            org.junit.jupiter.api.Assertions.assertThrows(
                    StatusRuntimeException.class,
                    () -> asNode.saveSnapshot(SaveSnapshotRequest.getDefaultInstance()).hasNext())
                .getStatus()
                .getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void metricsAreScrapedAndAcceptedByPromtool() throws Exception {
    String leader = cluster.leader();
    String token = TestAgent.token(cluster, leader, 1, Duration.ofMinutes(10));
    TestAgent.enroll(cluster, leader, token, "metrics-node");
    try {
      ConfigServiceGrpc.newBlockingStub(cluster.anonymous(leader))
          .apply(ApplyRequest.newBuilder().addResources(service("m", "x")).build());
    } catch (StatusRuntimeException expected) {
      assertThat(expected.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    String text = Scrape.get(cluster.server(leader).metricsPort());

    // Leadership may move under load between cluster.leader() and a scrape: the current leader's
    // scrape must say so, whichever server that is by then.
    Await.until(
        "the current leader's scrape shows role=leader 1",
        Duration.ofSeconds(30),
        () ->
            Scrape.value(
                    Scrape.get(cluster.server(cluster.leader()).metricsPort()),
                    "raftmesh_raft_role{role=\"leader\"}")
                == 1.0);
    assertThat(Scrape.value(text, "raftmesh_raft_term")).isPositive();
    assertThat(Scrape.value(text, "raftmesh_store_revision")).isPositive();
    assertThat(Scrape.value(text, "raftmesh_ca_certificates_issued_total{kind=\"node\"}"))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(Scrape.value(text, "raftmesh_ca_token_uses_total{result=\"ok\"}"))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(
            Scrape.value(
                text, "raftmesh_server_authorization_failures_total{reason=\"no_certificate\"}"))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(text)
        .contains("raftmesh_build_info{")
        .contains("raftmesh_store_apply_duration_seconds_bucket");
    assertThat(
            Scrape.value(
                text,
                "raftmesh_server_rpcs_total{code=\"OK\",method=\"EnrollmentService/Enroll\"}"))
        .isGreaterThanOrEqualTo(1.0);

    Path promtool = Scrape.promtool();
    assumeThat(promtool).as("promtool is not installed (Debian package prometheus)").isNotNull();
    String[] result = Scrape.promtoolCheck(promtool, text);
    assertThat(result[0]).as("promtool check metrics:\n%s", result[1]).isEqualTo("0");
    assertThat(result[1]).as("promtool lint findings").isBlank();
  }
}
