package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.cli.AgentMain;
import io.raftmesh.agent.cli.ExitCodes;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.FakeControlServer;
import io.raftmesh.agent.testing.FakeMesh;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.ca.token.JoinToken;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrollment over real TLS against three fake control servers on loopback ports: the agent pins the
 * token's root fingerprint, a one-use token works once, and each failure (another root, a used or
 * expired token, no server) is a clear message and its own exit code.
 */
@Timeout(120)
class EnrollmentIT {
  @TempDir Path dir;

  private FakeMesh mesh;
  private final List<FakeControlServer> servers = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void startServers() throws Exception {
    mesh = new FakeMesh(TestPki.create("mesh.test"));
    List<FakeControlServer.Sent> sent = FakeControlServer.sentLog();
    for (int i = 1; i <= 3; i++) {
      servers.add(FakeControlServer.tls("n" + i, mesh, sent));
    }
  }

  @AfterEach
  void stop() {
    agents.forEach(Agent::close);
    servers.forEach(FakeControlServer::close);
  }

  private String serverList() {
    return servers.stream().map(s -> s.address().toString()).collect(Collectors.joining(","));
  }

  private record Run(int code, String err) {}

  private Run cli(String node, String token, String servers) {
    StringWriter err = new StringWriter();
    int code =
        AgentMain.run(
            new String[] {
              "--node",
              node,
              "--servers",
              servers,
              "--data-dir",
              dir.resolve(node).toString(),
              "--join",
              token,
              "--admin-port",
              "0",
              "--join-timeout",
              "2s",
              "--backoff-max",
              "300ms"
            },
            Map.of(),
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    return new Run(code, err.toString());
  }

  @Test
  void enrollsOverPinnedTlsOnceAndTheUsedTokenIsRefusedAfterwards() throws Exception {
    String token = mesh.createToken(1, Duration.ofMinutes(5));
    AgentConfig config =
        AgentHarness.config(
            "node-a",
            servers.stream().map(FakeControlServer::address).toList(),
            dir.resolve("node-a"),
            AgentHarness.oneService());
    RecordingDataPlane plane = new RecordingDataPlane();
    Agent agent =
        AgentHarness.start(
            config,
            AgentHarness.options(
                token, plane, ChannelFactory.tls(), s -> new HealthProbe.Result(true, "ok")));
    agents.add(agent);
    assertThat(agent.awaitServing(Duration.ofSeconds(30))).isTrue();
    assertThat(agent.nodeId().toString()).isEqualTo("spiffe://mesh.test/node/node-a");
    long revision = mesh.put(FakeMesh.service("shop", "web", "v1"));
    Eventually.await(
        Duration.ofSeconds(20),
        "config over mutual TLS",
        () -> agent.appliedRevision() >= revision);

    Run second = cli("node-b", token, serverList());
    assertThat(second.code()).isEqualTo(ExitCodes.TOKEN_REFUSED);
    assertThat(second.err()).contains("join token refused");
    assertThat(mesh.enrolledNodes()).containsExactly("node-a");
  }

  @Test
  void refusesServersWhoseChainDoesNotEndAtTheTokensRoot() {
    TestPki other = TestPki.create("mesh.test");
    String foreign = JoinToken.generate(other.fingerprint(), new SecureRandom()).encoded();
    Run run = cli("node-c", foreign, serverList());
    assertThat(run.code()).isEqualTo(ExitCodes.UNTRUSTED_SERVER);
    assertThat(run.err())
        .contains("no server presented a chain ending at root " + other.fingerprint())
        .contains("server certificate not trusted");
    assertThat(mesh.enrolledNodes()).isEmpty();
    assertThat(mesh.issuedCount()).isZero();
  }

  @Test
  void expiredTokenIsRefused() throws Exception {
    String token = mesh.createToken(1, Duration.ofMillis(1));
    Thread.sleep(20);
    Run run = cli("node-d", token, serverList());
    assertThat(run.code()).isEqualTo(ExitCodes.TOKEN_REFUSED);
  }

  @Test
  void unreachableClusterIsAClearErrorAndExitCode() throws Exception {
    List<HostPort> closed = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        closed.add(new HostPort("127.0.0.1", s.getLocalPort()));
      }
    }
    String token = mesh.createToken(1, Duration.ofMinutes(5));
    Run run =
        cli(
            "node-e",
            token,
            closed.stream().map(HostPort::toString).collect(Collectors.joining(",")));
    assertThat(run.code()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err())
        .contains("no control server answered within 2s")
        .contains(closed.get(0).toString());
  }

  @Test
  void malformedTokenAndMissingTokenAreUsageErrors() {
    assertThat(cli("node-f", "rmt1.nonsense", serverList()).code()).isEqualTo(ExitCodes.USAGE);
    StringWriter err = new StringWriter();
    int code =
        AgentMain.run(
            new String[] {
              "--node",
              "node-g",
              "--servers",
              serverList(),
              "--data-dir",
              dir.resolve("g").toString(),
              "--admin-port",
              "0"
            },
            Map.of(),
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("no node identity in").contains("--join TOKEN");
  }
}
