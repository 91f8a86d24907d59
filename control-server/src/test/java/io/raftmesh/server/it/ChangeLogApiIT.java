package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ClusterServiceGrpc.ClusterServiceBlockingStub;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.KeyChange;
import io.raftmesh.proto.v1.ListChangesRequest;
import io.raftmesh.proto.v1.ListChangesResponse;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ClusterService.ListChanges: the committed change log, from any server, admin only. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChangeLogApiIT {
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

  static long apply(String server, String ns, String name, int n) {
    return ConfigServiceGrpc.newBlockingStub(cluster.admin(server))
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .apply(ApplyRequest.newBuilder().addResources(service(ns, name, n)).build())
        .getRevision();
  }

  static String key(KeyChange c) {
    return c.getKv().getKey().toString(StandardCharsets.UTF_8);
  }

  @Test
  void aFollowerListsEveryAcknowledgedWriteInRevisionOrderPageByPage() {
    String leader = cluster.leader();
    long before = apply(leader, "changes", "a", 1);
    long r1 = apply(leader, "changes", "b", 1);
    long r2 = apply(leader, "changes", "a", 2);
    long r3 = apply(leader, "changes", "c", 1);

    // Pages of one record, from a follower, right after the acknowledgements.
    List<ChangeRecord> records = new ArrayList<>();
    long after = before;
    for (int page = 0; page < 100; page++) {
      ListChangesResponse resp =
          clusterApi(cluster.follower())
              .listChanges(
                  ListChangesRequest.newBuilder().setAfterRevision(after).setLimit(1).build());
      assertThat(resp.getRecordsCount()).isLessThanOrEqualTo(1);
      records.addAll(resp.getRecordsList());
      if (!resp.getMore()) {
        assertThat(resp.getRevision()).isGreaterThanOrEqualTo(r3);
        break;
      }
      after = resp.getRecords(0).getRevision();
    }

    // Every revision after `before` up to r3 is there once, in order, with no gap.
    List<Long> revisions = records.stream().map(ChangeRecord::getRevision).toList();
    assertThat(revisions).isSorted().doesNotHaveDuplicates().contains(r1, r2, r3);
    for (int i = 1; i < revisions.size(); i++) {
      assertThat(revisions.get(i)).isEqualTo(revisions.get(i - 1) + 1);
    }
    assertThat(revisions.get(0)).isEqualTo(before + 1);
    ChangeRecord atR2 = records.stream().filter(r -> r.getRevision() == r2).findFirst().get();
    assertThat(atR2.getChangesList())
        .anySatisfy(
            c -> {
              assertThat(key(c)).isEqualTo("/service/changes/a");
              assertThat(c.getKind()).isEqualTo(KeyChange.Kind.PUT);
              assertThat(c.getKv().getModRevision()).isEqualTo(r2);
            });
  }

  @Test
  void aRangeBelowTheCompactionFloorFailsNamingTheFloor() {
    String leader = cluster.leader();
    long old = apply(leader, "floor", "x", 1);
    long newer = apply(leader, "floor", "x", 2);
    cluster
        .server(leader)
        .member()
        .client()
        .compact(UUID.randomUUID().toString(), newer)
        .orTimeout(30, TimeUnit.SECONDS)
        .join();
    Await.until(
        "the leader to apply the compaction",
        Duration.ofSeconds(30),
        () -> cluster.server(leader).member().status().compactRevision() >= newer);

    assertThatThrownBy(
            () ->
                clusterApi(leader)
                    .listChanges(ListChangesRequest.newBuilder().setAfterRevision(old - 1).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
              assertThat(e.getStatus().getDescription()).contains("compaction floor");
            });
    // At the floor, the log answers again.
    ListChangesResponse resp =
        clusterApi(leader)
            .listChanges(ListChangesRequest.newBuilder().setAfterRevision(newer).build());
    assertThat(resp.getCompactRevision()).isGreaterThanOrEqualTo(newer);
  }

  @Test
  void rejectsBadArgumentsAndNonAdminCallers() {
    String server = cluster.leader();
    assertThatThrownBy(
            () ->
                clusterApi(server)
                    .listChanges(ListChangesRequest.newBuilder().setAfterRevision(-1).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("after_revision: -1");
            });
    assertThatThrownBy(
            () ->
                clusterApi(server)
                    .listChanges(ListChangesRequest.newBuilder().setLimit(5000).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("limit: 5000"));

    String token = TestAgent.token(cluster, server, 1, Duration.ofMinutes(5));
    TestAgent agent = TestAgent.enroll(cluster, server, token, "changes-node");
    assertThatThrownBy(
            () ->
                ClusterServiceGrpc.newBlockingStub(agent.channel(cluster, server))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .listChanges(ListChangesRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
  }
}
