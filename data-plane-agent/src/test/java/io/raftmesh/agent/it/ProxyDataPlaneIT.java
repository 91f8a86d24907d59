package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.Agent;
import io.raftmesh.agent.AgentOptions;
import io.raftmesh.agent.cert.ManagedCertificate;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.AgentConfigParser;
import io.raftmesh.agent.dataplane.ProxyDataPlane;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.identity.IdentityFiles;
import io.raftmesh.agent.proxy.testing.Resources;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.FakeControlServer;
import io.raftmesh.agent.testing.FakeMesh;
import io.raftmesh.agent.testing.InProcessChannels;
import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents bound to the real sidecar proxy: node-b's application calls {@code backend} through
 * its loopback listener; the proxy opens mutual TLS (the agents' workload certificates) to node-a's
 * inbound listener, which forwards to the backend application. A config the proxy cannot apply is
 * NACKed with the proxy's reason and traffic keeps flowing on the previous config.
 */
@Timeout(120)
class ProxyDataPlaneIT {
  @TempDir Path dir;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Agent agent(FakeMesh mesh, FakeControlServer server, String node, String services)
      throws Exception {
    String yaml =
        "node: "
            + node
            + "\nservers: ["
            + server.address()
            + "]\ndata-dir: "
            + dir.resolve(node)
            + "\nadmin-port: 0\ninbound-address: 127.0.0.1\nbackoff-min: 50ms\nbackoff-max: 400ms\n"
            + services;
    AgentConfig config = AgentConfigParser.parse(yaml, node + ".yaml", Map.of());
    AgentOptions options =
        new AgentOptions(
            mesh.createToken(1, Duration.ofMinutes(1)),
            ProxyDataPlane::new,
            new InProcessChannels(),
            new PrometheusRegistry(),
            s -> new HealthProbe.Result(true, "ok"),
            Clock.systemUTC(),
            new SecureRandom(),
            RandomGenerator.getDefault(),
            "test");
    Agent agent = Agent.start(config, options);
    closeables.add(agent);
    assertThat(agent.awaitServing(Duration.ofSeconds(30))).isTrue();
    return agent;
  }

  private static String get(int port, String host) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /hello HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "io error: " + e;
    }
  }

  @Test
  void trafficFlowsOverMutualTlsWithTheAgentsCertificatesAndSurvivesANack() throws Exception {
    TestPki pki = TestPki.create("mesh.test");
    FakeMesh mesh = new FakeMesh(pki);
    FakeControlServer server = FakeControlServer.inProcess("n1", mesh, FakeControlServer.sentLog());
    closeables.add(server);
    Resource meshConfig =
        Resources.meshConfig("mesh.test", false).toBuilder()
            .setMeshConfig(
                Resources.meshConfig("mesh.test", false).getMeshConfig().toBuilder()
                    .setDefaultAuthorization(io.raftmesh.proto.v1.AuthorizationAction.ALLOW))
            .build();
    mesh.put(
        meshConfig,
        Resources.service("shop", "backend", Protocol.HTTP),
        Resources.service("shop", "frontend", Protocol.HTTP));

    HttpServer app =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    app.createContext(
        "/",
        ex -> {
          byte[] body = "hello from backend".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    app.start();
    closeables.add(() -> app.stop(0));

    int inboundA = freePort();
    int inboundB = freePort();
    int outboundB = freePort();
    Agent a =
        agent(
            mesh,
            server,
            "node-a",
            "services:\n  - {name: backend, namespace: shop, protocol: http, app-port: "
                + app.getAddress().getPort()
                + ", inbound-port: "
                + inboundA
                + "}\n");
    Agent b =
        agent(
            mesh,
            server,
            "node-b",
            "services:\n  - {name: frontend, namespace: shop, protocol: http, app-port: "
                + freePort()
                + ", inbound-port: "
                + inboundB
                + ", outbound-port: "
                + outboundB
                + ", upstreams: [backend]}\n");
    long both = mesh.revision();
    Eventually.await(
        Duration.ofSeconds(20),
        "both agents applied " + both,
        () -> a.appliedRevision() >= both && b.appliedRevision() >= both);

    String[] response = {""};
    Eventually.await(
        Duration.ofSeconds(20),
        () -> "backend reachable; last: " + response[0],
        () -> {
          response[0] = get(outboundB, "backend");
          return response[0].startsWith("HTTP/1.1 200")
              && response[0].endsWith("hello from backend");
        });

    // Weights that do not add up to 100: the proxy refuses, the agent NACKs, traffic goes on.
    Resource badRoute =
        Resources.route(
            "shop",
            "backend",
            TrafficRouteSpec.newBuilder()
                .setDestination("backend")
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("r")
                        .addSplit(WeightedTarget.newBuilder().setWeight(95)))
                .build());
    long applied = b.appliedRevision();
    long bad = mesh.put(badRoute);
    Eventually.await(
        Duration.ofSeconds(20),
        "node-b NACKs " + bad,
        () -> mesh.node("node-b").nackedRevision() == bad);
    assertThat(mesh.node("node-b").lastNackReason())
        .contains("/traffic-route/shop/backend")
        .contains("100");
    assertThat(b.appliedRevision()).isEqualTo(applied);
    assertThat(get(outboundB, "backend")).endsWith("hello from backend");

    ManagedCertificate workload =
        a.certificates().get(IdentityFiles.workloadName("shop", "backend"));
    assertThat(workload).isNotNull();
    a.certificates().refreshNow(IdentityFiles.workloadName("shop", "backend"));
    String before = workload.current().serial();
    Eventually.await(
        Duration.ofSeconds(20),
        "backend certificate rotated",
        () -> !workload.current().serial().equals(before));
    assertThat(get(outboundB, "backend")).endsWith("hello from backend");
  }
}
