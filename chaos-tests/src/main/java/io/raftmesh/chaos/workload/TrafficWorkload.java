package io.raftmesh.chaos.workload;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.cluster.ProcessCluster;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.NemesisOp;
import io.raftmesh.chaos.history.Completion;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.history.PendingOp;
import io.raftmesh.chaos.history.Worker;
import io.raftmesh.chaos.scenarios.NemesisSchedule;
import io.raftmesh.chaos.scenarios.ScheduledOp;
import io.raftmesh.chaos.traffic.PlannedOp;
import io.raftmesh.chaos.traffic.Workload;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.validate.TrafficChecker;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static stability: two node agents ({@code bin/raftmesh agent}, enrolled with a join token) and
 * two loopback HTTP services ({@link MeshServices}); each {@code request} asks the frontend, which
 * calls the backend through its agent's outbound listener, the two proxies and mutual TLS. Its own
 * nemesis schedule kills every control server for a while (then restarts them all) and later kills
 * the leader repeatedly. After the heal a marker config write; each agent must apply it. Checked by
 * {@link TrafficChecker}: no failed request (above all none while every server was down), every
 * agent converged.
 *
 * <p>Needs the processes backend: agents run in the harness's network namespace on loopback and
 * dial the servers at the addresses the harness uses ({@link ProcessCluster#apiAddress}; in
 * namespace mode, the relay's loopback ports).
 */
public final class TrafficWorkload implements ChaosWorkload {
  private static final Logger log = LoggerFactory.getLogger(TrafficWorkload.class);
  static final String NAMESPACE = "demo";

  private final Duration timeout;
  private final long tolerance;
  private @Nullable MeshServices services;
  private @Nullable AgentNodes agents;
  private Set<String> nodes = Set.of();

  /**
   * Each request has {@code timeout}; {@code tolerance} failed requests outside outages are
   * accepted (0: none).
   */
  public TrafficWorkload(Duration timeout, long tolerance) {
    this.timeout = timeout;
    this.tolerance = tolerance;
  }

  @Override
  public String name() {
    return "traffic";
  }

  /**
   * Every server killed from 15 % of the run for a quarter of it (at least 5 s), then all
   * restarted; after 12 s for the restarted JVMs and an election, the leader killed and restarted
   * every interval.
   */
  @Override
  public Optional<NemesisSchedule> schedule(List<String> clusterNodes, ChaosRun.Options options) {
    long total = options.time().toMillis();
    long outageAt = total * 15 / 100;
    long outageEnd = outageAt + Math.max(5_000, total / 4);
    long step = Math.max(2_000, options.interval().toMillis());
    List<ScheduledOp> ops = new ArrayList<>();
    ops.add(new ScheduledOp(Duration.ofMillis(outageAt), NemesisOp.kill(clusterNodes), false));
    ops.add(new ScheduledOp(Duration.ofMillis(outageEnd), NemesisOp.stop(FaultKind.KILL), false));
    for (long t = outageEnd + 12_000; t + step <= total; t += 2 * step) {
      ops.add(new ScheduledOp(Duration.ofMillis(t), NemesisOp.killLeader(), false));
      ops.add(new ScheduledOp(Duration.ofMillis(t + step), NemesisOp.stop(FaultKind.KILL), false));
    }
    return Optional.of(NemesisSchedule.of(options.seed(), ops));
  }

  @Override
  public void setUp(Cluster cluster, HistoryRecorder recorder) throws Exception {
    if (!(cluster instanceof ProcessCluster pc)) {
      throw new IllegalArgumentException(
          "cluster: " + cluster.getClass().getSimpleName() + " (expected: the processes backend)");
    }
    nodes = Set.copyOf(cluster.nodes());
    Path dir = pc.directory().resolve("traffic-" + System.currentTimeMillis());
    Files.createDirectories(dir.resolve("logs"));
    List<String> servers = new ArrayList<>();
    for (String n : cluster.nodes()) {
      InetSocketAddress a = pc.apiAddress(n);
      servers.add(a.getHostString() + ":" + a.getPort());
    }
    MeshServices s = MeshServices.start(timeout);
    services = s;
    Path mesh = dir.resolve("mesh.yaml");
    Files.writeString(mesh, meshYaml(cluster.trustDomain()));
    pc.distribution()
        .run(
            List.of(
                "apply",
                "-f",
                mesh.toString(),
                "--servers",
                String.join(",", servers),
                "--tls-dir",
                pc.adminTlsDir().toString()),
            dir.resolve("logs/apply.log"),
            Duration.ofMinutes(2));
    String token =
        Enroller.createToken(
                cluster, cluster.nodes().get(0), 2, Duration.ofHours(1), Duration.ofSeconds(10))
            .getToken();
    int outbound = AgentNodes.freePort();
    s.callThrough(outbound);
    AgentNodes a = new AgentNodes(dir);
    agents = a;
    a.start(
        pc.distribution(),
        servers,
        token,
        new AgentNodes.Node(
            "node-a",
            AgentNodes.freePort(),
            service("backend", s.backendPort(), AgentNodes.freePort(), "")));
    a.start(
        pc.distribution(),
        servers,
        token,
        new AgentNodes.Node(
            "node-b",
            AgentNodes.freePort(),
            service(
                "frontend",
                s.frontendPort(),
                AgentNodes.freePort(),
                "    outbound-port: " + outbound + "\n    upstreams: [backend]\n")));
    awaitWarm(a, s, Duration.ofSeconds(150));
  }

  private static String service(String name, int app, int inbound, String extra) {
    return "  - name: "
        + name
        + "\n    namespace: "
        + NAMESPACE
        + "\n    protocol: http\n    app-port: "
        + app
        + "\n    inbound-port: "
        + inbound
        + "\n"
        + extra
        + "    health: {http-path: /healthz, interval: 2s}\n";
  }

  /** Both agents applied a config and one request crossed the mesh (bounded). */
  private void awaitWarm(AgentNodes a, MeshServices s, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    String last = "no attempt";
    while (true) {
      for (String n : a.names()) {
        if (!a.alive(n)) {
          throw new IOException(
              "agent "
                  + n
                  + " exited:\n"
                  + io.raftmesh.chaos.cluster.Distribution.tail(a.logFile(n)));
        }
      }
      boolean applied = a.names().stream().allMatch(n -> a.appliedRevision(n) > 0);
      if (applied) {
        try {
          MeshServices.Reply r = s.get(frontend(s), "frontend");
          if (r.status() == 200 && r.body().startsWith(MeshServices.BACKEND_REPLY)) {
            log.info("traffic: both agents serving, first request through the mesh ok");
            return;
          }
          last = r.describe();
        } catch (IOException e) {
          last = e.toString();
        }
      } else {
        last = "agents not yet serving a config";
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IOException(
            "no request crossed the mesh within "
                + limit
                + " (last: "
                + last
                + "); agent node-b log:\n"
                + io.raftmesh.chaos.cluster.Distribution.tail(a.logFile("node-b")));
      }
      Thread.sleep(500);
    }
  }

  private static InetSocketAddress frontend(MeshServices s) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.frontendPort());
  }

  @Override
  public Workload traffic(Cluster cluster) {
    MeshServices s = requireStarted(services);
    return (worker, random) -> new PlannedOp("request", null, null, () -> request(s));
  }

  private static Completion request(MeshServices s) {
    try {
      MeshServices.Reply r = s.get(frontend(s), "frontend");
      if (r.status() == 200 && r.body().startsWith(MeshServices.BACKEND_REPLY)) {
        return Completion.ok(JsonNodeFactory.instance.textNode(r.body()));
      }
      return Completion.fail(r.describe());
    } catch (IOException e) {
      // A read-only call: it failed, whatever the cause (nothing may or may not have happened).
      return Completion.fail(e.toString());
    }
  }

  /**
   * A marker config write (a new Service the agents see), then until each agent applied it
   * (bounded): one {@code converge} operation per agent.
   */
  @Override
  public void finish(Cluster cluster, HistoryRecorder recorder) throws Exception {
    AgentNodes a = requireStarted(agents);
    long marker = markerWrite(cluster);
    Worker w = recorder.newWorker();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    for (String n : a.names()) {
      PendingOp op = w.invoke("converge", n, null);
      long applied = a.appliedRevision(n);
      while (applied < marker && marker > 0 && System.nanoTime() - deadline < 0) {
        Thread.sleep(500);
        applied = a.appliedRevision(n);
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("applied", applied);
      out.put("marker", marker);
      out.put("store", storeRevision(cluster));
      out.put("agentAlive", a.alive(n));
      op.complete(
          applied >= marker && marker > 0
              ? Completion.ok(out)
              : Completion.fail("agent " + n + " applied " + applied + " < marker " + marker)
                  .withValue(out));
    }
  }

  private long markerWrite(Cluster cluster) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() - deadline < 0) {
      for (String n : cluster.nodes()) {
        try {
          return ConfigServiceGrpc.newBlockingStub(cluster.channel(n))
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .apply(
                  ApplyRequest.newBuilder()
                      .addResources(
                          Resources.service(
                              NAMESPACE, "traffic-marker", UUID.randomUUID().toString()))
                      .setRequestId(UUID.randomUUID().toString())
                      .build())
              .getRevision();
        } catch (RuntimeException e) {
          log.info("traffic: marker write via {} failed: {}", n, e.toString());
        }
      }
      Thread.sleep(500);
    }
    return -1;
  }

  private static long storeRevision(Cluster cluster) {
    if (cluster instanceof ProcessCluster pc) {
      for (String n : cluster.nodes()) {
        Optional<io.raftmesh.proto.v1.StatusResponse> s = pc.status(n, Duration.ofSeconds(3));
        if (s.isPresent()) {
          return s.get().getRevision();
        }
      }
    }
    return -1;
  }

  @Override
  public List<CheckResult> check(History history) {
    return List.of(TrafficChecker.check(history, nodes, tolerance));
  }

  @Override
  public void close() {
    if (agents != null) {
      agents.close();
    }
    if (services != null) {
      services.close();
    }
  }

  private static <T> T requireStarted(@Nullable T t) {
    if (t == null) {
      throw new IllegalStateException("traffic workload not set up");
    }
    return t;
  }

  /** The mesh: strict mutual TLS, deny by default, only the frontend may GET the backend. */
  static String meshYaml(String trustDomain) {
    return String.join(
        "\n",
        "kind: MeshConfig",
        "metadata: {name: default}",
        "spec:",
        "  trustDomain: " + trustDomain,
        "  mtlsMode: strict",
        "  defaultAuthorization: deny",
        "  workloadCertTtl: 1h",
        "---",
        "kind: Service",
        "metadata: {name: frontend, namespace: " + NAMESPACE + "}",
        "spec:",
        "  protocol: http",
        "  ports: [{name: http, port: 8080}]",
        "---",
        "kind: Service",
        "metadata: {name: backend, namespace: " + NAMESPACE + "}",
        "spec:",
        "  protocol: http",
        "  ports: [{name: http, port: 8080}]",
        "---",
        "kind: AuthorizationPolicy",
        "metadata: {name: backend, namespace: " + NAMESPACE + "}",
        "spec:",
        "  destination: backend",
        "  defaultAction: deny",
        "  rules:",
        "  - action: allow",
        "    sources: [\"spiffe://" + trustDomain + "/ns/" + NAMESPACE + "/sa/frontend\"]",
        "    methods: [GET]",
        "");
  }
}
