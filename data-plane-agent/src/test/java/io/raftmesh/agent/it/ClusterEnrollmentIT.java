package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.cli.AgentMain;
import io.raftmesh.agent.cli.ExitCodes;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.identity.IdentityFiles;
import io.raftmesh.agent.subscribe.ResourceKeys;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.ControlCluster;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.ca.token.JoinToken;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.testing.Resources;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrollment against three real control servers (Raft, RocksDB, mutual TLS, the CA sealed by {@code
 * raftmesh ca init}): the agent enrolls through the token's pinned root, registers, gets its
 * workload certificate and config; a one-use token works once across the cluster; a token pinned to
 * another root makes the agent refuse every server before it sends anything.
 */
@Timeout(180)
class ClusterEnrollmentIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dir;

  private static ControlCluster cluster;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    cluster = ControlCluster.start(dir.resolve("cluster"));
    cluster.apply(Resources.service("shop", "web"), Resources.service("shop", "checkout"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stopAgents() {
    agents.forEach(Agent::close);
  }

  private Agent start(String node, String token) {
    AgentConfig config =
        AgentHarness.config(
            node, cluster.addresses(), dir.resolve(node), AgentHarness.oneService());
    Agent agent =
        AgentHarness.start(
            config,
            AgentHarness.options(
                token,
                new RecordingDataPlane(),
                ChannelFactory.tls(),
                s -> new HealthProbe.Result(true, "ok")));
    agents.add(agent);
    return agent;
  }

  private record Run(int code, String err) {}

  private static Run cli(String node, String token) {
    StringWriter err = new StringWriter();
    int code =
        AgentMain.run(
            new String[] {
              "--node",
              node,
              "--servers",
              cluster.addresses().stream().map(HostPort::toString).collect(Collectors.joining(",")),
              "--data-dir",
              dir.resolve(node).toString(),
              "--join",
              token,
              "--admin-port",
              "0",
              "--join-timeout",
              "10s",
              "--backoff-max",
              "300ms"
            },
            Map.of(),
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    return new Run(code, err.toString());
  }

  @Test
  void enrollsWithTheClusterRegistersAndAppliesItsConfig() throws Exception {
    Agent agent = start("node-a", cluster.token(1, Duration.ofMinutes(10)));
    assertThat(agent.awaitServing(WAIT)).as("serving after enrollment").isTrue();
    assertThat(agent.nodeId().toString()).isEqualTo("spiffe://mesh.test/node/node-a");
    try (Stream<Path> files = Files.list(dir.resolve("node-a").resolve("identity"))) {
      List<Path> keys = files.filter(p -> p.toString().endsWith(".key")).toList();
      assertThat(keys).as("node and workload keys").hasSizeGreaterThanOrEqualTo(2);
      for (Path key : keys) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
            .as("mode of %s", key)
            .isEqualTo("rw-------");
      }
    }

    long revision = cluster.apply(Resources.service("shop", "payments"));
    Eventually.await(
        WAIT, "agent applies revision " + revision, () -> agent.appliedRevision() >= revision);
    assertThat(agent.appliedView().get("/endpoint/shop/web.node-a"))
        .as("its own endpoint, registered through the servers, is in its config")
        .isNotNull();
    assertThat(agent.appliedView().get(ResourceKeys.of(ResourceType.SERVICE, "shop", "payments")))
        .isNotNull();
    // The servers record the ACK: raftmesh status shows the node at (at least) that revision.
    Eventually.await(
        WAIT,
        () -> "raftmesh status shows node-a acknowledging " + revision + ":\n" + cluster.status(),
        () -> ackedRevision(cluster.status(), "node-a") >= revision);
  }

  @Test
  void aOneUseTokenEnrollsOnceAndTheSecondAgentIsRefused() throws Exception {
    String token = cluster.token(1, Duration.ofMinutes(10));
    Agent first = start("node-b", token);
    assertThat(first.awaitServing(WAIT)).isTrue();

    Run second = cli("node-c", token);
    assertThat(second.code()).as(second.err()).isEqualTo(ExitCodes.TOKEN_REFUSED);
    assertThat(second.err()).contains("join token refused");
    assertThat(IdentityFiles.in(dir.resolve("node-c")).load(IdentityFiles.NODE))
        .as("no node identity stored for the refused node")
        .isEmpty();
    String status = cluster.status();
    assertThat(status).contains("node-b").doesNotContain("node-c");
  }

  @Test
  void anAgentPinnedToAnotherRootRefusesToEnroll() {
    TestPki other = TestPki.create(ControlCluster.TRUST_DOMAIN);
    String foreign = JoinToken.generate(other.fingerprint(), new SecureRandom()).encoded();

    Run run = cli("node-d", foreign);

    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.UNTRUSTED_SERVER);
    assertThat(run.err())
        .contains("no server presented a chain ending at root " + other.fingerprint())
        .contains("server certificate not trusted");
    for (HostPort server : cluster.addresses()) {
      assertThat(run.err()).as("names every server tried").contains(server.toString());
    }
    assertThat(cluster.status()).doesNotContain("node-d");
  }

  /** The ACKED column of {@code node}'s row in {@code raftmesh status}, or -1. */
  static long ackedRevision(String status, String node) {
    for (String line : status.split("\n", -1)) {
      String[] cells = line.trim().split("\\s+", -1);
      if (cells.length > 1 && cells[0].equals(node)) {
        return Long.parseLong(cells[1]);
      }
    }
    return -1;
  }
}
