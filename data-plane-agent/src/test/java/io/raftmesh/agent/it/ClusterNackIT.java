package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.subscribe.ResourceKeys;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.ControlCluster;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.server.testing.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config the agent's data plane refuses, through three real control servers: the agent NACKs it
 * with the reason, the previous config stays in force (data plane and applied revision), {@code
 * raftmesh status} shows the NACK for the node, and a corrected config is applied and clears it.
 *
 * <p>The servers validate every resource with the same rules as the proxy's translator, so a config
 * the servers accept and a proxy refuses comes from version skew (a newer or stricter proxy). The
 * test's data plane plays that proxy: it refuses any resource labelled {@code reject=true}.
 */
@Timeout(180)
class ClusterNackIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private ControlCluster cluster;
  private Agent agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Resource labelled(String name, String reject) {
    return Resources.service("shop", name).toBuilder()
        .setMeta(ResourceMeta.newBuilder().putLabels("reject", reject))
        .build();
  }

  @Test
  void refusedConfigIsNackedShownInStatusAndThePreviousConfigStays() throws Exception {
    cluster = ControlCluster.start(dir.resolve("cluster"));
    cluster.apply(Resources.service("shop", "web"));
    RecordingDataPlane plane = new RecordingDataPlane();
    AgentConfig config =
        AgentHarness.config(
            "node-n", cluster.addresses(), dir.resolve("node-n"), AgentHarness.oneService());
    agent =
        AgentHarness.start(
            config,
            AgentHarness.options(
                cluster.token(1, Duration.ofMinutes(10)),
                plane,
                ChannelFactory.tls(),
                s -> new HealthProbe.Result(true, "ok")));
    assertThat(agent.awaitServing(WAIT)).isTrue();
    long good = cluster.apply(Resources.service("shop", "good"));
    Eventually.await(WAIT, "good config applied", () -> agent.appliedRevision() >= good);
    Eventually.await(
        WAIT,
        () -> "status shows node-n at " + good + ":\n" + cluster.status(),
        () -> ClusterEnrollmentIT.ackedRevision(cluster.status(), "node-n") >= good);

    long bad = cluster.apply(labelled("broken", "true"));
    Eventually.await(
        WAIT,
        "the agent refuses revision " + bad,
        () -> agent.status().lastNack() != null && agent.status().lastNack().revision() >= bad);
    long inForce = agent.appliedRevision();
    List<Resource> before = plane.resources;
    assertThat(inForce).as("the refused revision is not in force").isLessThan(bad);
    assertThat(before).extracting(ResourceKeys::of).doesNotContain("/service/shop/broken");
    assertThat(agent.status().lastNack().reason()).contains("shop/broken").contains("reject=true");

    String[] status = new String[1];
    Eventually.await(
        WAIT,
        () -> "raftmesh status shows the NACK of node-n:\n" + status[0],
        () -> {
          status[0] = cluster.status();
          return nodeRow(status[0], "node-n").contains(bad + ": ");
        });
    assertThat(nodeRow(status[0], "node-n"))
        .contains("shop/broken")
        .contains("labelled reject=true");
    assertThat(ClusterEnrollmentIT.ackedRevision(status[0], "node-n"))
        .as("the servers still record the last good revision as acknowledged")
        .isLessThan(bad);
    assertThat(agent.appliedRevision()).as("still the previous config").isEqualTo(inForce);
    assertThat(plane.resources).isEqualTo(before);

    long fixed = cluster.apply(labelled("broken", "false"));
    Eventually.await(WAIT, "fixed config applied", () -> agent.appliedRevision() >= fixed);
    assertThat(agent.status().lastNack()).isNull();
    assertThat(plane.resources).extracting(ResourceKeys::of).contains("/service/shop/broken");
    Eventually.await(
        WAIT,
        () -> "status clears the NACK:\n" + status[0],
        () -> {
          status[0] = cluster.status();
          return ClusterEnrollmentIT.ackedRevision(status[0], "node-n") >= fixed
              && !nodeRow(status[0], "node-n").contains("reject=true");
        });
  }

  /** The line of {@code node} in {@code raftmesh status}'s node table. */
  private static String nodeRow(String status, String node) {
    for (String line : status.split("\n", -1)) {
      if (line.trim().startsWith(node + " ")) {
        return line;
      }
    }
    return "";
  }
}
