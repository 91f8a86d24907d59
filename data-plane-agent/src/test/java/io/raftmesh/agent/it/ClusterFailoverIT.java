package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.subscribe.ResourceKeys;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.ControlCluster;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.RecordingChannels;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.server.testing.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's config stream across control-server failures, against three real servers: when the
 * server it streams from stops, it resumes on another one without a reset, a gap or a repeat (every
 * delta it received, across streams, continues the previous one, and the data plane got each
 * revision once, in order); with every server stopped, a restarted agent serves its cached config
 * at once (same revision, same resources) and keeps serving, then catches up when the servers
 * return.
 */
@Timeout(300)
class ClusterFailoverIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private ControlCluster cluster;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void startCluster() {
    cluster = ControlCluster.start(dir.resolve("cluster"));
    cluster.apply(Resources.service("shop", "web"));
  }

  @AfterEach
  void stopAll() {
    agents.forEach(Agent::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private Agent start(String token, RecordingDataPlane plane, RecordingChannels channels) {
    AgentConfig config =
        AgentHarness.config(
            "node-f", cluster.addresses(), dir.resolve("node-f"), AgentHarness.oneService());
    Agent agent =
        AgentHarness.start(
            config,
            AgentHarness.options(token, plane, channels, s -> new HealthProbe.Result(true, "ok")));
    agents.add(agent);
    return agent;
  }

  private long write(int n) {
    return cluster.apply(Resources.service("shop", "s" + n, n));
  }

  @Test
  void resumesOnAnotherServerWithoutResetGapOrRepeatWhenItsServerStops() throws Exception {
    RecordingDataPlane plane = new RecordingDataPlane();
    RecordingChannels channels = new RecordingChannels();
    Agent agent = start(cluster.token(1, Duration.ofMinutes(10)), plane, channels);
    assertThat(agent.awaitServing(WAIT)).isTrue();
    for (int i = 0; i < 3; i++) {
      long r = write(i);
      Eventually.await(WAIT, "applied " + r, () -> agent.appliedRevision() >= r);
    }
    String first = agent.status().connectedServer();
    assertThat(first).as("streaming from a server").isNotNull();
    String stopped = cluster.idOf(first);
    int streamsBefore = channels.streams();

    cluster.stop(stopped);
    long last = 0;
    for (int i = 3; i < 8; i++) {
      last = write(i);
    }
    long target = last;
    Eventually.await(
        WAIT,
        () -> "applied " + target + " from another server; now " + agent.appliedRevision(),
        () -> agent.appliedRevision() >= target);

    String now = agent.status().connectedServer();
    assertThat(now).as("streaming from another server").isNotNull().isNotEqualTo(first);
    assertThat(cluster.running()).contains(cluster.idOf(now)).doesNotContain(stopped);
    assertThat(channels.streams()).as("a new stream").isGreaterThan(streamsBefore);

    List<RecordingChannels.Received> deltas = channels.deltas();
    assertContinuous(deltas);
    assertThat(deltas.stream().map(RecordingChannels.Received::serverId).distinct())
        .as("deltas came from two servers")
        .hasSizeGreaterThanOrEqualTo(2);
    // The data plane got every received revision once, in order: nothing missed or repeated.
    assertThat(plane.applied)
        .containsExactlyElementsOf(
            deltas.stream().map(RecordingChannels.Received::revision).toList());
    assertThat(plane.resources)
        .extracting(ResourceKeys::of)
        .contains("/service/shop/s0", "/service/shop/s7");
  }

  @Test
  void restartsFromItsCacheWithEveryServerDownAndCatchesUpWhenTheyReturn() throws Exception {
    RecordingDataPlane plane = new RecordingDataPlane();
    Agent agent = start(cluster.token(1, Duration.ofMinutes(10)), plane, new RecordingChannels());
    assertThat(agent.awaitServing(WAIT)).isTrue();
    long r = write(1);
    Eventually.await(WAIT, "applied " + r, () -> agent.appliedRevision() >= r);

    cluster.stopAll();
    long applied = agent.appliedRevision();
    List<Resource> config = plane.resources;
    agent.close();
    agents.remove(agent);

    RecordingDataPlane second = new RecordingDataPlane();
    RecordingChannels channels = new RecordingChannels();
    Agent restarted = start(null, second, channels);
    assertThat(restarted.awaitServing(Duration.ofSeconds(5)))
        .as("serving from the cache without any server")
        .isTrue();
    assertThat(restarted.appliedRevision()).isEqualTo(applied);
    assertThat(second.applied).containsExactly(applied);
    assertThat(second.resources).isEqualTo(config);
    assertThat(restarted.status().connectedServer()).isNull();
    // It keeps serving while the servers stay away (its reconnect loop backs off meanwhile).
    Thread.sleep(3_000);
    assertThat(restarted.appliedRevision()).isEqualTo(applied);
    assertThat(second.applied).containsExactly(applied);
    assertThat(restarted.fatalError()).isNotDone();

    cluster.startAll();
    long later = cluster.apply(Resources.service("shop", "after-outage"));
    Eventually.await(
        WAIT,
        () -> "caught up to " + later + "; now " + restarted.appliedRevision(),
        () -> restarted.appliedRevision() >= later);
    assertThat(second.resources)
        .extracting(ResourceKeys::of)
        .contains("/service/shop/after-outage", "/service/shop/s1");
    List<RecordingChannels.Received> deltas = channels.deltas();
    assertThat(deltas.get(0).previous())
        .as("the first delta after the outage continues the cached revision")
        .isEqualTo(applied);
    assertThat(deltas).noneMatch(RecordingChannels.Received::reset);
    assertContinuous(deltas);
  }

  /**
   * Every delta continues the previous one (no reset after the first, no gap), moves forward, and
   * no revision arrives twice, across streams and servers.
   */
  private static void assertContinuous(List<RecordingChannels.Received> deltas) {
    assertThat(deltas).isNotEmpty();
    Set<Long> seen = new HashSet<>();
    seen.add(deltas.get(0).revision());
    long previous = deltas.get(0).revision();
    for (int i = 1; i < deltas.size(); i++) {
      RecordingChannels.Received d = deltas.get(i);
      assertThat(d.reset()).as("reset at %s", d).isFalse();
      assertThat(d.previous()).as("%s continues %s", d, previous).isEqualTo(previous);
      assertThat(d.revision()).as("%s moves forward", d).isGreaterThan(previous);
      assertThat(seen.add(d.revision())).as("revision %s received once", d.revision()).isTrue();
      previous = d.revision();
    }
  }
}
