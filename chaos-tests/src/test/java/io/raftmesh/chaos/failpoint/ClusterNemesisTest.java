package io.raftmesh.chaos.failpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.raftmesh.chaos.net.Grudge;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusterNemesisTest {
  private final FakeCluster cluster = new FakeCluster(List.of("n1", "n2", "n3"));
  private final ClusterNemesis nemesis = new ClusterNemesis(cluster, cluster, new Random(1));

  @Test
  void stopKillRestartsExactlyTheKilledNodes() throws Exception {
    nemesis.apply(NemesisOp.kill(List.of("n1", "n3")));
    assertThat(cluster.down).containsExactly("n1", "n3");

    JsonNode r = nemesis.apply(NemesisOp.stop(FaultKind.KILL));

    assertThat(cluster.down).isEmpty();
    assertThat(r.get("started").toString()).isEqualTo("[\"n1\",\"n3\"]");
  }

  @Test
  void leaderTargetedFaultsAskTheClusterWhoLeads() throws Exception {
    cluster.leader = Optional.of("n2");

    JsonNode r = nemesis.apply(NemesisOp.pauseLeader());

    assertThat(cluster.paused).containsExactly("n2");
    assertThat(r.get("leader").asText()).isEqualTo("n2");
  }

  @Test
  void leaderTargetedFaultsPickANodeWhenNoLeaderIsKnown() throws Exception {
    JsonNode r = nemesis.apply(NemesisOp.killLeader());

    assertThat(cluster.down).hasSize(1);
    assertThat(r.get("note").asText()).contains("no leader known");
  }

  @Test
  void doesNotPauseKilledNodesAndKillingAPausedNodeForgetsThePause() throws Exception {
    nemesis.apply(NemesisOp.kill(List.of("n1")));
    nemesis.apply(NemesisOp.pause(List.of("n1", "n2")));
    assertThat(cluster.paused).containsExactly("n2");

    nemesis.apply(NemesisOp.kill(List.of("n2")));
    nemesis.apply(NemesisOp.stop(FaultKind.PAUSE));

    assertThat(cluster.calls).doesNotContain("resume n2");
  }

  @Test
  void restartAllKillsAndStartsEveryNode() throws Exception {
    nemesis.apply(NemesisOp.pause(List.of("n3")));

    nemesis.apply(NemesisOp.restartAll());

    assertThat(cluster.calls)
        .containsSubsequence(
            "resume n3", "kill n1", "kill n2", "kill n3", "start n1", "start n2", "start n3");
    assertThat(cluster.healthy()).isTrue();
  }

  @Test
  void healAllRemovesEveryFault() throws Exception {
    nemesis.apply(NemesisOp.kill(List.of("n1")));
    nemesis.apply(NemesisOp.pause(List.of("n2")));
    nemesis.apply(NemesisOp.partition(Grudge.isolate("n3", cluster.nodes()), null));
    nemesis.apply(NemesisOp.slow(Duration.ofMillis(75), Duration.ofMillis(50)));
    nemesis.apply(NemesisOp.lossy(List.of("n3"), 0.5));
    assertThat(cluster.healthy()).isFalse();

    nemesis.healAll();

    assertThat(cluster.healthy()).isTrue();
  }

  @Test
  void stopsHealTheirOwnKindOnly() throws Exception {
    nemesis.apply(NemesisOp.partition(Grudge.isolate("n3", cluster.nodes()), null));
    nemesis.apply(NemesisOp.lossy(List.of("n1"), 0.5));

    nemesis.apply(NemesisOp.stop(FaultKind.PARTITION));

    assertThat(cluster.grudge.isEmpty()).isTrue();
    assertThat(cluster.lossy).containsExactly("n1");
  }
}
