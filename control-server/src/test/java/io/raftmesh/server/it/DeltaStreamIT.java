package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc.ConfigServiceBlockingStub;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.NodeStatus;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.Resources;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import io.raftmesh.server.testing.TestSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta streams on a real three-server cluster: resume across a killed server without gaps or
 * repeats, reset below the compaction floor, coalescing for slow agents, ACK/NACK bookkeeping, and
 * shedding when a server loses its quorum (last: it leaves the cluster without a quorum).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeltaStreamIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir static Path dir;
  static TestCluster cluster;
  static TestAgent agent;
  static final List<TestSubscriber> subscribers = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(dir, 3);
    String token = TestAgent.token(cluster, cluster.leader(), 5, Duration.ofMinutes(30));
    agent = TestAgent.enroll(cluster, cluster.leader(), token, "agent-1");
  }

  /** One agent has one stream at a time: end this test's streams before the next test. */
  @AfterEach
  void endStreams() {
    subscribers.forEach(TestSubscriber::cancel);
    subscribers.clear();
  }

  @AfterAll
  static void stop() {
    subscribers.forEach(TestSubscriber::cancel);
    if (cluster != null) {
      cluster.close();
    }
  }

  static TestSubscriber subscribe(String server, long resume) {
    TestSubscriber s = TestSubscriber.open(agent.channel(cluster, server), resume);
    subscribers.add(s);
    return s;
  }

  static ConfigServiceBlockingStub admin(String server) {
    return ConfigServiceGrpc.newBlockingStub(cluster.admin(server))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static long apply(String server, Resource r) {
    return admin(server).apply(ApplyRequest.newBuilder().addResources(r).build()).getRevision();
  }

  /** Each delta starts where the previous one ended (a reset starts from nothing). */
  static void assertChained(List<Delta> deltas, long resumedFrom) {
    long last = resumedFrom;
    for (Delta d : deltas) {
      if (d.getReset()) {
        assertThat(d.getPreviousRevision()).isZero();
        assertThat(d.getRevision()).isGreaterThanOrEqualTo(last);
      } else {
        assertThat(d.getPreviousRevision()).as("delta %s", d.getRevision()).isEqualTo(last);
        assertThat(d.getRevision()).isGreaterThan(d.getPreviousRevision());
      }
      last = d.getRevision();
    }
  }

  @Test
  @Order(1)
  void aResumedStreamDeliversEveryRevisionOnceInOrderAcrossAKilledServer() {
    String leader = cluster.leader();
    String first = cluster.follower();
    String second =
        cluster.runningIds().stream()
            .filter(id -> !id.equals(first) && !id.equals(leader))
            .findFirst()
            .orElseThrow();
    TestSubscriber before = subscribe(first, 0);
    Await.until("the reset snapshot", WAIT, () -> !before.deltas().isEmpty());
    assertThat(before.deltas().get(0).getReset()).isTrue();

    Map<ResourceKey, Resource> expected = new HashMap<>();
    List<Long> revisions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Resource r = service("delta", "svc-" + (i % 7), i);
      revisions.add(apply(leader, r));
      expected.put(TestSubscriber.key(r), r);
      if (i == 49) {
        before.awaitRevision(revisions.get(20), WAIT);
        cluster.stop(first);
        before.awaitEnd(WAIT);
        assertThat(before.ended().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      }
    }
    long resumeFrom = before.revision();
    TestSubscriber after = subscribe(second, resumeFrom);
    after.awaitRevision(revisions.get(99), WAIT);

    List<Delta> all = new ArrayList<>(before.deltas());
    all.addAll(after.deltas());
    assertChained(before.deltas(), 0);
    assertThat(after.deltas().get(0).getReset()).isFalse();
    assertChained(after.deltas(), resumeFrom);
    for (long r : revisions) {
      long covering =
          all.stream()
              .filter(d -> !d.getReset() && d.getPreviousRevision() < r && r <= d.getRevision())
              .count();
      boolean inReset = all.stream().anyMatch(d -> d.getReset() && r <= d.getRevision());
      assertThat(covering + (inReset ? 1 : 0)).as("deltas covering revision %s", r).isEqualTo(1);
    }
    Map<ResourceKey, Resource> held = new HashMap<>(before.state());
    for (Delta d : after.deltas()) {
      d.getUpsertsList().forEach(r -> held.put(TestSubscriber.key(r), r));
      d.getRemovalsList().forEach(held::remove);
    }
    for (Map.Entry<ResourceKey, Resource> e : expected.entrySet()) {
      assertThat(held.get(e.getKey()).getService().getDescription())
          .isEqualTo(e.getValue().getService().getDescription());
    }
    assertThat(after.deltas()).allMatch(d -> d.getServerId().equals(second));
    cluster.startServer(first);
    cluster.awaitLeader();
  }

  @Test
  @Order(2)
  void aResumeBelowTheCompactionFloorGetsAReset() {
    String leader = cluster.leader();
    long old = apply(leader, service("floor", "a", 1));
    long newer = apply(leader, service("floor", "a", 2));
    var member = cluster.server(leader).member();
    member
        .client()
        .compact(UUID.randomUUID().toString(), newer)
        .orTimeout(30, TimeUnit.SECONDS)
        .join();
    String server = cluster.follower();
    Await.until(
        "the follower to apply the compaction",
        WAIT,
        () -> cluster.server(server).member().status().compactRevision() >= newer);

    TestSubscriber s = subscribe(server, old);
    Await.until("the first delta", WAIT, () -> !s.deltas().isEmpty());

    Delta first = s.deltas().get(0);
    assertThat(first.getReset()).isTrue();
    assertThat(first.getPreviousRevision()).isZero();
    assertThat(first.getRevision()).isGreaterThanOrEqualTo(newer);
    assertThat(
            s.state()
                .get(Resources.key(ResourceType.SERVICE, "floor", "a"))
                .getService()
                .getDescription())
        .isEqualTo("change 2");
    assertThat(s.state().keySet()).noneMatch(k -> k.getType() == ResourceType.NODE);
  }

  @Test
  @Order(3)
  void aSlowAgentGetsCoalescedStateAndAcksAndNacksAreRecorded() {
    String leader = cluster.leader();
    String server = cluster.follower();
    TestSubscriber slow = subscribe(server, 0);
    Await.until("the reset snapshot", WAIT, () -> !slow.deltas().isEmpty());
    slow.hold();
    long start = apply(leader, service("slow", "warmup", 0));
    slow.awaitRevision(start, WAIT);
    long last = 0;
    for (int i = 0; i < 30; i++) {
      last = apply(leader, service("slow", "k-" + (i % 3), i));
    }
    int before = slow.deltas().size();
    Await.sleep(300);
    assertThat(slow.deltas()).as("nothing is sent while a delta is unanswered").hasSize(before);
    slow.release();
    slow.awaitRevision(last, WAIT);
    Delta coalesced = slow.deltas().get(before);
    assertThat(coalesced.getRevision()).isGreaterThanOrEqualTo(last);
    assertThat(coalesced.getUpsertsCount())
        .as("newest state per key, not one entry per revision")
        .isEqualTo(3);

    slow.nackWith("listener port 15001 in use");
    long refused = apply(leader, service("slow", "k-0", 100));
    slow.awaitRevision(refused, WAIT);
    cluster.runningIds().forEach(id -> cluster.server(id).flushReports());
    String other =
        cluster.runningIds().stream().filter(id -> !id.equals(server)).findFirst().orElseThrow();
    Await.until(
        "the NACK in the status of another server",
        WAIT,
        () -> {
          NodeStatus node = nodeStatus(other, "agent-1");
          return node.getSpec().getLastNack().getReason().equals("listener port 15001 in use")
              && node.getSpec().getLastNack().getRevision() >= refused;
        });
    NodeStatus node = nodeStatus(other, "agent-1");
    assertThat(node.getSpec().getAckedRevision()).isGreaterThanOrEqualTo(last);
    assertThat(node.getSpec().getAgentVersion()).isEqualTo("test-agent");
    assertThat(node.getRevisionsBehind()).isGreaterThan(0);

    slow.nackWith(null);
    long fixed = apply(leader, service("slow", "k-0", 101));
    slow.awaitRevision(fixed, WAIT);
    Await.until(
        "the ACK to clear the NACK",
        WAIT,
        () -> {
          cluster.runningIds().forEach(id -> cluster.server(id).flushReports());
          NodeStatus n = nodeStatus(other, "agent-1");
          return !n.getSpec().hasLastNack() && n.getRevisionsBehind() == 0;
        });
    StatusResponse fromServer = status(server);
    assertThat(fromServer.getNodesList())
        .filteredOn(n -> n.getName().equals("agent-1"))
        .singleElement()
        .satisfies(n -> assertThat(n.getStreamingHere()).isTrue());
  }

  static StatusResponse status(String server) {
    return ClusterServiceGrpc.newBlockingStub(cluster.admin(server))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance());
  }

  static NodeStatus nodeStatus(String server, String name) {
    return status(server).getNodesList().stream()
        .filter(n -> n.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  @Order(4)
  void aServerWithoutAQuorumShedsItsStreamsAndRefusesNewOnes() {
    String leader = cluster.leader();
    String keep = cluster.follower();
    TestSubscriber s = subscribe(keep, 0);
    Await.until("the reset snapshot", WAIT, () -> !s.deltas().isEmpty());

    for (String id : cluster.runningIds()) {
      if (!id.equals(keep)) {
        cluster.stop(id);
      }
    }
    s.awaitEnd(WAIT);
    assertThat(s.ended().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(s.ended().getDescription()).contains("no leader");

    TestSubscriber refused = subscribe(keep, s.revision());
    refused.awaitEnd(WAIT);
    assertThat(refused.ended().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(refused.deltas()).isEmpty();
    assertThat(leader).isNotEqualTo(keep);
  }
}
