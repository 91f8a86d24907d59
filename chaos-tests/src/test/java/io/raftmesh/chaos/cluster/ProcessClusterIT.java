package io.raftmesh.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.process.Signals;
import io.raftmesh.chaos.workload.Resources;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processes backend on its own: three servers from the distribution serve writes and reads
 * across each other, survive a kill -9 and a SIGSTOP of the leader, and are all gone after close.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProcessClusterIT {
  @TempDir Path dir;

  @Test
  void threeServersFromTheDistributionSurviveAKilledAndAPausedLeader() throws Exception {
    long[] pids;
    try (ProcessCluster c =
        ProcessCluster.start(ClusterOptions.of(3, dir, TestDistribution.get()))) {
      assertThat(c.nodes()).containsExactly("n1", "n2", "n3");
      long r1 = apply(c, "n1", "one");
      assertThat(read(c, "n3")).isEqualTo("one");

      String leader = c.leader().orElseThrow();
      c.nodeControl().kill(leader);
      String other = c.nodes().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      long r2 = applyEventually(c, other, "two");
      assertThat(r2).isGreaterThan(r1);
      c.nodeControl().start(leader);

      String leader2 = awaitLeader(c);
      c.nodeControl().pause(leader2);
      long pid = c.supervisedNodes().process(leader2).pid();
      for (int i = 0; i < 50 && Signals.state(pid) != 'T'; i++) {
        Thread.sleep(100); // the stop is delivered asynchronously
      }
      assertThat(Signals.state(pid)).isEqualTo('T');
      String other2 = c.nodes().stream().filter(n -> !n.equals(leader2)).findFirst().orElseThrow();
      applyEventually(c, other2, "three");
      c.nodeControl().resume(leader2);
      // The restarted and the resumed node both catch up.
      for (String n : c.nodes()) {
        assertThat(readEventually(c, n, "three")).as(n).isEqualTo("three");
      }
      assertThat(c.capabilities().supports(FaultKind.KILL)).isTrue();
      pids = c.nodes().stream().mapToLong(n -> c.supervisedNodes().process(n).pid()).toArray();
    }
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
  }

  static final ResourceKey KEY =
      ResourceKey.newBuilder()
          .setType(ResourceType.SERVICE)
          .setNamespace("smoke")
          .setName("k")
          .build();

  static long apply(ProcessCluster c, String node, String value) {
    Resource r = Resources.service("smoke", "k", value);
    return ConfigServiceGrpc.newBlockingStub(c.channel(node))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .apply(ApplyRequest.newBuilder().addResources(r).build())
        .getRevision();
  }

  static String read(ProcessCluster c, String node) {
    return Resources.value(
        ConfigServiceGrpc.newBlockingStub(c.channel(node))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .get(GetRequest.newBuilder().setKey(KEY).build())
            .getResource());
  }

  static long applyEventually(ProcessCluster c, String node, String value) throws Exception {
    RuntimeException last = new IllegalStateException("no attempt");
    for (int i = 0; i < 60; i++) {
      try {
        return apply(c, node, value);
      } catch (RuntimeException e) {
        last = e;
        Thread.sleep(500);
      }
    }
    throw last;
  }

  static String readEventually(ProcessCluster c, String node, String want) throws Exception {
    String got = "(nothing read)";
    for (int i = 0; i < 60; i++) {
      try {
        got = read(c, node);
        if (want.equals(got)) {
          return got;
        }
      } catch (RuntimeException e) {
        got = e.toString();
      }
      Thread.sleep(500);
    }
    return got;
  }

  static String awaitLeader(ProcessCluster c) throws Exception {
    for (int i = 0; i < 120; i++) {
      var l = c.leader();
      if (l.isPresent()) {
        return l.get();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no leader within 60 s");
  }
}
