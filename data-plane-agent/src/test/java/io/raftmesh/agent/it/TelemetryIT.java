package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.Agent;
import io.raftmesh.agent.AgentOptions;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.AgentConfigParser;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.dataplane.ProxyDataPlane;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.proxy.testing.Resources;
import io.raftmesh.agent.testing.ControlCluster;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
 * Telemetry end to end on three real control servers: node-a hosts {@code shop/backend}; node-b and
 * node-c each host a {@code shop/frontend} instance that calls it through the real proxies over
 * mutual TLS. Each agent is given one server only (a: n1, b: n2, c: n3), so the backend's inbound
 * summaries land on n1 and the two halves of the frontend -> backend edge on n2 and n3; {@code
 * raftmesh stats} must merge them to exactly the requests sent.
 */
@Timeout(240)
class TelemetryIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int FROM_B = 20;
  private static final int FROM_C = 15;

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

  private Agent agent(String token, HostPort server, String node, String services)
      throws Exception {
    String yaml =
        "node: "
            + node
            + "\nservers: ["
            + server
            + "]\ndata-dir: "
            + dir.resolve(node)
            + "\nadmin-port: 0\ninbound-address: 127.0.0.1\nbackoff-min: 50ms\nbackoff-max: 400ms\n"
            + "telemetry-interval: 300ms\n"
            + services;
    AgentConfig config = AgentConfigParser.parse(yaml, node + ".yaml", Map.of());
    AgentOptions options =
        new AgentOptions(
            token,
            ProxyDataPlane::new,
            ChannelFactory.tls(),
            new PrometheusRegistry(),
            s -> new HealthProbe.Result(true, "ok"),
            Clock.systemUTC(),
            new SecureRandom(),
            RandomGenerator.getDefault(),
            "test");
    Agent agent = Agent.start(config, options);
    closeables.add(agent);
    assertThat(agent.awaitServing(WAIT)).as(node + " serving").isTrue();
    return agent;
  }

  private static String frontend(int outbound) throws IOException {
    return "services:\n  - {name: frontend, namespace: shop, protocol: http, app-port: "
        + freePort()
        + ", inbound-port: "
        + freePort()
        + ", outbound-port: "
        + outbound
        + ", upstreams: [backend]}\n";
  }

  private static String get(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          "GET /hello HTTP/1.1\r\nHost: backend\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "io error: " + e;
    }
  }

  private static boolean routable(Agent caller) {
    return caller.appliedView().get("/endpoint/shop/backend.node-a") != null;
  }

  @Test
  void statsShowsExactlyTheRequestsSentMergedFromEveryServer() throws Exception {
    ControlCluster cluster = ControlCluster.start(dir.resolve("cluster"));
    closeables.add(cluster);
    Resource mesh = Resources.meshConfig(ControlCluster.TRUST_DOMAIN, false);
    mesh =
        mesh.toBuilder()
            .setMeshConfig(
                mesh.getMeshConfig().toBuilder().setDefaultAuthorization(AuthorizationAction.ALLOW))
            .build();
    cluster.apply(
        mesh,
        Resources.service("shop", "backend", Protocol.HTTP),
        Resources.service("shop", "frontend", Protocol.HTTP));

    HttpServer app =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
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

    List<HostPort> servers = cluster.addresses(); // n1, n2, n3 in order
    String token = cluster.token(3, Duration.ofMinutes(10));
    agent(
        token,
        servers.get(0),
        "node-a",
        "services:\n  - {name: backend, namespace: shop, protocol: http, app-port: "
            + app.getAddress().getPort()
            + ", inbound-port: "
            + freePort()
            + "}\n");
    int outB = freePort();
    int outC = freePort();
    Agent b = agent(token, servers.get(1), "node-b", frontend(outB));
    Agent c = agent(token, servers.get(2), "node-c", frontend(outC));
    Eventually.await(
        WAIT, "both callers know the backend endpoint", () -> routable(b) && routable(c));

    for (int i = 0; i < FROM_B; i++) {
      assertThat(get(outB)).as("request %d from node-b", i).startsWith("HTTP/1.1 200");
    }
    for (int i = 0; i < FROM_C; i++) {
      assertThat(get(outC)).as("request %d from node-c", i).startsWith("HTTP/1.1 200");
    }

    int total = FROM_B + FROM_C;
    String[] last = {""};
    Eventually.await(
        WAIT,
        () -> "raftmesh stats shows " + total + " requests; last:\n" + last[0],
        () -> {
          last[0] = cluster.cli("stats", "-o", "json");
          JsonNode s = json(last[0]);
          return requests(s.get("services"), "service", "shop/backend") == total
              && requests(s.get("edges"), "destination", "shop/backend") == total;
        });
    JsonNode stats = json(last[0]);
    JsonNode service = find(stats.get("services"), "service", "shop/backend");
    assertThat(service.get("successes").asLong()).isEqualTo(total);
    assertThat(service.get("success_rate").asDouble()).isEqualTo(1.0);
    assertThat(service.get("p99_seconds").asDouble()).isPositive();
    JsonNode edge = find(stats.get("edges"), "destination", "shop/backend");
    assertThat(edge.get("source").asText()).isEqualTo("shop/frontend");
    // Each server got one node's reports: the merge really spans the three windows.
    for (JsonNode s : stats.get("servers")) {
      assertThat(s.get("answered").asBoolean()).as(s.toString()).isTrue();
      assertThat(s.get("reporting_nodes").asInt()).as(s.toString()).isEqualTo(1);
    }

    // The table for one service, as an operator reads it.
    String table = cluster.cli("stats", "shop/backend");
    System.out.println("raftmesh stats shop/backend:\n" + table);
    assertThat(table)
        .containsPattern("(?m)^shop/backend\\s+" + total + "\\s+\\S+\\s+100\\.00%")
        .containsPattern("(?m)^shop/frontend\\s+shop/backend\\s+" + total + "\\s");

    // Counts stay exact: nothing is reported twice in later rounds.
    Thread.sleep(1_000);
    JsonNode later = json(cluster.cli("stats", "-o", "json"));
    assertThat(requests(later.get("services"), "service", "shop/backend")).isEqualTo(total);
    assertThat(requests(later.get("edges"), "destination", "shop/backend")).isEqualTo(total);
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The requests of the row whose {@code field} is {@code value}, or -1 without one. */
  private static long requests(JsonNode rows, String field, String value) {
    for (JsonNode r : rows) {
      if (r.get(field).asText().equals(value)) {
        return r.get("requests").asLong();
      }
    }
    return -1;
  }

  private static JsonNode find(JsonNode rows, String field, String value) {
    for (JsonNode r : rows) {
      if (r.get(field).asText().equals(value)) {
        return r;
      }
    }
    throw new AssertionError("no row with " + field + "=" + value + " in " + rows);
  }
}
