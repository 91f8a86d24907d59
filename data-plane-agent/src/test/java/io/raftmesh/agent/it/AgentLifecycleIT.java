package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.AgentStartException;
import io.raftmesh.agent.admin.AgentStatus;
import io.raftmesh.agent.cert.CertificateKind;
import io.raftmesh.agent.cert.ManagedCertificate;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.identity.IdentityFiles;
import io.raftmesh.agent.subscribe.ResourceKeys;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.FakeControlServer;
import io.raftmesh.agent.testing.FakeMesh;
import io.raftmesh.agent.testing.InProcessChannels;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's whole life against fake control servers on gRPC's in-process transport (the TLS
 * handshakes are covered by {@link EnrollmentIT} and {@link RotationIT}): enrollment, registration,
 * workload certificates, config deltas with ACK and NACK, failover between servers without a reset
 * or a gap, restart from the cache with every server down, health reports, deregistration.
 */
@Timeout(120)
class AgentLifecycleIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private FakeMesh mesh;
  private final List<FakeControlServer> servers = new ArrayList<>();
  private final List<FakeControlServer.Sent> sent = FakeControlServer.sentLog();
  private final List<Agent> agents = new ArrayList<>();
  private final RecordingDataPlane plane = new RecordingDataPlane();

  @BeforeEach
  void startServers() throws Exception {
    mesh = new FakeMesh(TestPki.create("mesh.test"));
    for (int i = 1; i <= 3; i++) {
      servers.add(FakeControlServer.inProcess("n" + i, mesh, sent));
    }
  }

  @AfterEach
  void stopAll() {
    agents.forEach(Agent::close);
    servers.forEach(FakeControlServer::close);
  }

  private List<HostPort> addresses() {
    return servers.stream().map(FakeControlServer::address).toList();
  }

  private Agent start(
      String token, String node, Path data, RecordingDataPlane dp, HealthProbe probe) {
    AgentConfig config = AgentHarness.config(node, addresses(), data, AgentHarness.oneService());
    Agent agent =
        AgentHarness.start(config, AgentHarness.options(token, dp, new InProcessChannels(), probe));
    agents.add(agent);
    return agent;
  }

  private Agent startEnrolled() throws InterruptedException {
    String token = mesh.createToken(1, Duration.ofMinutes(5));
    Agent agent = start(token, "node-a", dir, plane, s -> new HealthProbe.Result(true, "ok"));
    assertThat(agent.awaitServing(WAIT)).as("data plane serving").isTrue();
    return agent;
  }

  private static Resource labelled(String name, String key, String value) {
    return FakeMesh.service("shop", name, "x").toBuilder()
        .setMeta(ResourceMeta.newBuilder().putLabels(key, value))
        .build();
  }

  @Test
  void enrollsRegistersGetsWorkloadCertificateAndAppliesConfig() throws Exception {
    Agent agent = startEnrolled();

    assertThat(mesh.enrolledNodes()).containsExactly("node-a");
    assertThat(mesh.get("/endpoint/shop/web.node-a")).isNotNull();
    assertThat(mesh.get("/endpoint/shop/web.node-a").getEndpoint().getPort()).isEqualTo(18443);
    ManagedCertificate workload =
        agent.certificates().get(IdentityFiles.workloadName("shop", "web"));
    assertThat(workload).isNotNull();
    assertThat(workload.spiffeId().toString()).isEqualTo("spiffe://mesh.test/ns/shop/sa/web");
    assertThat(plane.identities).hasSize(1);
    Path key;
    try (var files = Files.list(dir.resolve("identity"))) {
      key =
          files
              .filter(p -> p.getFileName().toString().startsWith("node-"))
              .filter(p -> p.toString().endsWith(".key"))
              .findFirst()
              .orElseThrow();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");

    long revision = mesh.put(FakeMesh.service("shop", "checkout", "v1"));
    Eventually.await(
        WAIT, "agent applies revision " + revision, () -> agent.appliedRevision() >= revision);
    Eventually.await(
        WAIT, "server records the ACK", () -> mesh.node("node-a").ackedRevision() >= revision);
    assertThat(plane.resources).extracting(ResourceKeys::of).contains("/service/shop/checkout");
    AgentStatus status = agent.status();
    assertThat(status.spiffeId()).isEqualTo("spiffe://mesh.test/node/node-a");
    assertThat(status.appliedRevision()).isEqualTo(agent.appliedRevision());
    assertThat(status.connectedServer()).isNotNull();
    assertThat(status.mesh())
        .extracting(AgentStatus.MeshService::name)
        .contains("shop/checkout", "shop/web");
    assertThat(status.certificates())
        .extracting(AgentStatus.Certificate::kind)
        .containsExactlyInAnyOrder("node", "workload");
  }

  @Test
  void refusedConfigIsNackedAndThePreviousConfigStaysInForce() throws Exception {
    Agent agent = startEnrolled();
    long good = mesh.put(FakeMesh.service("shop", "good", "v1"));
    Eventually.await(WAIT, "good config applied", () -> agent.appliedRevision() >= good);
    List<Resource> before = plane.resources;

    long bad = mesh.put(labelled("broken", "reject", "true"));
    Eventually.await(
        WAIT, "server records the NACK", () -> mesh.node("node-a").nackedRevision() == bad);

    assertThat(mesh.node("node-a").lastNackReason())
        .contains("shop/broken")
        .contains("reject=true");
    assertThat(agent.appliedRevision()).isEqualTo(good);
    assertThat(plane.resources).isEqualTo(before);
    assertThat(agent.status().lastNack()).isNotNull();
    assertThat(agent.status().lastNack().revision()).isEqualTo(bad);

    long fixed = mesh.put(labelled("broken", "reject", "false"));
    Eventually.await(WAIT, "fixed config applied", () -> agent.appliedRevision() == fixed);
    Eventually.await(
        WAIT, "server records the ACK", () -> mesh.node("node-a").ackedRevision() == fixed);
    assertThat(agent.status().lastNack()).isNull();
  }

  @Test
  void killedServerIsReplacedWithoutResetGapOrRepeat() throws Exception {
    Agent agent = startEnrolled();
    for (int i = 0; i < 3; i++) {
      long r = mesh.put(FakeMesh.service("shop", "s" + i, "v1"));
      Eventually.await(WAIT, "applied " + r, () -> agent.appliedRevision() >= r);
    }
    String first = agent.status().connectedServer();
    FakeControlServer streaming =
        servers.stream()
            .filter(s -> s.address().toString().equals(first))
            .findFirst()
            .orElseThrow();
    streaming.close();
    for (int i = 3; i < 8; i++) {
      mesh.put(FakeMesh.service("shop", "s" + i, "v1"));
    }
    long last = mesh.revision();
    Eventually.await(
        WAIT, "applied " + last + " on another server", () -> agent.appliedRevision() == last);

    assertThat(agent.status().connectedServer()).isNotEqualTo(first);
    assertContinuous("node-a");
  }

  @Test
  void shedStreamMovesToAnotherServerAndResumes() throws Exception {
    Agent agent = startEnrolled();
    long r = mesh.put(FakeMesh.service("shop", "a", "v1"));
    Eventually.await(WAIT, "applied", () -> agent.appliedRevision() >= r);
    String first = agent.status().connectedServer();
    servers.stream()
        .filter(s -> s.address().toString().equals(first))
        .findFirst()
        .orElseThrow()
        .shed();
    Eventually.await(
        WAIT,
        "moved off " + first,
        () -> {
          String now = agent.status().connectedServer();
          return now != null && !now.equals(first);
        });
    long r2 = mesh.put(FakeMesh.service("shop", "b", "v1"));
    Eventually.await(WAIT, "applied after shedding", () -> agent.appliedRevision() == r2);
    assertContinuous("node-a");
  }

  /**
   * Every delta the node received continues the previous one: no reset after the first, no gap, no
   * repeat.
   */
  private void assertContinuous(String node) {
    List<FakeControlServer.Sent> mine = sent.stream().filter(s -> s.node().equals(node)).toList();
    assertThat(mine).isNotEmpty();
    Set<Long> seen = new HashSet<>();
    long previous = mine.get(0).revision();
    for (int i = 1; i < mine.size(); i++) {
      FakeControlServer.Sent s = mine.get(i);
      assertThat(s.reset()).as("reset at %s", s).isFalse();
      assertThat(s.previous()).as("delta %s continues %s", s, previous).isEqualTo(previous);
      assertThat(s.revision()).as("delta %s moves forward", s).isGreaterThan(previous);
      assertThat(seen.add(s.revision())).as("revision %s sent once", s.revision()).isTrue();
      previous = s.revision();
    }
  }

  @Test
  void restartedAgentServesFromCacheWithNoServerAndCatchesUpLater() throws Exception {
    Agent agent = startEnrolled();
    long r = mesh.put(FakeMesh.service("shop", "cached", "v1"));
    Eventually.await(WAIT, "applied", () -> agent.appliedRevision() >= r);
    long applied = agent.appliedRevision();
    List<Resource> config = plane.resources;
    agent.close();
    agents.remove(agent);
    // Deregistration on close wrote revisions; the cache holds what was applied before.
    for (FakeControlServer s : servers) {
      s.close();
    }

    RecordingDataPlane second = new RecordingDataPlane();
    Agent restarted = start(null, "node-a", dir, second, s -> new HealthProbe.Result(true, "ok"));
    assertThat(restarted.awaitServing(Duration.ofSeconds(5)))
        .as("serving without servers")
        .isTrue();
    assertThat(restarted.appliedRevision()).isEqualTo(applied);
    assertThat(second.applied).containsExactly(applied);
    assertThat(second.resources).isEqualTo(config);
    assertThat(restarted.status().connectedServer()).isNull();

    List<FakeControlServer> back = new ArrayList<>();
    for (FakeControlServer s : servers) {
      back.add(FakeControlServer.restart(s));
    }
    servers.clear();
    servers.addAll(back);
    long later = mesh.put(FakeMesh.service("shop", "after-outage", "v1"));
    Eventually.await(
        Duration.ofSeconds(30),
        "caught up to " + later,
        () -> restarted.appliedRevision() >= later);
    assertThat(second.resources)
        .extracting(ResourceKeys::of)
        .contains("/service/shop/after-outage");
  }

  @Test
  void resumingBelowTheCompactionFloorGetsAResetThatReplacesTheView() throws Exception {
    Agent agent = startEnrolled();
    long r = mesh.put(FakeMesh.service("shop", "doomed", "v1"));
    Eventually.await(WAIT, "applied", () -> agent.appliedRevision() >= r);
    agent.close();
    agents.remove(agent);
    mesh.remove(ResourceType.SERVICE, "shop", "doomed");
    mesh.put(FakeMesh.service("shop", "newer", "v1"));
    mesh.compact();
    long floor = mesh.revision();

    RecordingDataPlane second = new RecordingDataPlane();
    Agent restarted = start(null, "node-a", dir, second, s -> new HealthProbe.Result(true, "ok"));
    Eventually.await(WAIT, "caught up to " + floor, () -> restarted.appliedRevision() >= floor);
    assertThat(second.resources)
        .extracting(ResourceKeys::of)
        .contains("/service/shop/newer")
        .doesNotContain("/service/shop/doomed");
    assertThat(sent.stream().filter(x -> x.node().equals("node-a") && x.reset()).count())
        .as("one reset after the compaction")
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void firstStartWithoutTokenIsAUsageError() {
    AgentConfig config = AgentHarness.config("node-b", addresses(), dir, "");
    assertThatThrownBy(
            () ->
                Agent.start(
                    config, AgentHarness.options(null, plane, new InProcessChannels(), s -> null)))
        .isInstanceOf(AgentStartException.class)
        .hasMessageContaining("--join")
        .extracting(e -> ((AgentStartException) e).reason())
        .isEqualTo(AgentStartException.Reason.NOT_ENROLLED);
  }

  @Test
  void rotatesNodeAndWorkloadCertificatesIntoTheLiveKeyManagers() throws Exception {
    mesh.ttls(Duration.ofSeconds(3), Duration.ofSeconds(3));
    Agent agent = startEnrolled();
    Set<String> nodeSerials = new HashSet<>();
    Set<String> workloadSerials = new HashSet<>();
    Eventually.await(
        Duration.ofSeconds(30),
        () -> "two rotations of each; node=" + nodeSerials + " workload=" + workloadSerials,
        () -> {
          for (ManagedCertificate c : agent.certificates().certificates()) {
            String presented =
                c.keyManager().currentCertificate().orElseThrow().getSerialNumber().toString(16);
            (c.kind() == CertificateKind.NODE ? nodeSerials : workloadSerials).add(presented);
          }
          return nodeSerials.size() >= 3 && workloadSerials.size() >= 3;
        });
    // The data plane kept the same live key manager throughout.
    assertThat(plane.identities.values())
        .containsExactly(
            agent.certificates().get(IdentityFiles.workloadName("shop", "web")).keyManager());
  }

  @Test
  void healthChangesAreReportedAndCleanShutdownDeregisters() throws Exception {
    AtomicBoolean up = new AtomicBoolean(true);
    String token = mesh.createToken(1, Duration.ofMinutes(5));
    String services =
        AgentHarness.oneService()
            + "    health:\n      tcp: true\n      interval: 100ms\n"
            + "      timeout: 50ms\n      healthy-threshold: 1\n      unhealthy-threshold: 2\n";
    AgentConfig config = AgentHarness.config("node-h", addresses(), dir, services);
    Agent agent =
        AgentHarness.start(
            config,
            AgentHarness.options(
                token,
                plane,
                new InProcessChannels(),
                s -> new HealthProbe.Result(up.get(), up.get() ? "ok" : "refused")));
    agents.add(agent);
    assertThat(agent.awaitServing(WAIT)).isTrue();
    String key = "/endpoint/shop/web.node-h";
    Eventually.await(
        WAIT,
        "reported healthy",
        () -> mesh.get(key).getEndpoint().getHealth() == HealthStatus.HEALTHY);
    up.set(false);
    Eventually.await(
        WAIT,
        "reported unhealthy",
        () -> mesh.get(key).getEndpoint().getHealth() == HealthStatus.UNHEALTHY);
    Eventually.await(
        WAIT,
        "heartbeats",
        () -> servers.stream().mapToInt(FakeControlServer::heartbeats).sum() >= 2);

    agent.close();
    assertThat(mesh.get(key)).isNull();
    assertThat(mesh.endpointsOf("node-h")).isEmpty();
    assertThat(mesh.get(ResourceKeys.of(ResourceType.ENDPOINT, "shop", "web.node-h"))).isNull();
  }
}
