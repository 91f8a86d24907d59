package io.raftmesh.agent.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's admin endpoint, bound to a loopback address only: {@code GET /status} (JSON, {@link
 * AgentStatus}), {@code GET /metrics} (Prometheus text), {@code GET /healthz} ({@code ok}).
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** The JSON form of {@link AgentStatus} (snake_case fields). */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code address:port} (0: any free port) and serves.
   *
   * @throws IOException when the port is taken
   */
  public static AdminServer start(
      String address, int port, Supplier<AgentStatus> status, PrometheusRegistry registry)
      throws IOException {
    requireNonNull(status, "status");
    InetSocketAddress bind = new InetSocketAddress(address, port);
    if (bind.getAddress() == null || !bind.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "admin-address: " + address + " (expected: a loopback address)");
    }
    HttpServer server = HttpServer.create(bind, 16);
    ExecutorService executor = daemonThread("raftmesh-agent-admin");
    server.setExecutor(executor);
    server.createContext(
        "/status",
        exchange -> {
          try {
            respond(exchange, 200, "application/json", JSON.writeValueAsBytes(status.get()));
          } catch (RuntimeException e) {
            log.warn("admin /status failed: {}", e.toString());
            respond(
                exchange,
                500,
                "text/plain",
                ("status failed: " + e).getBytes(StandardCharsets.UTF_8));
          }
        });
    server.createContext("/metrics", new MetricsHandler(registry));
    server.createContext(
        "/healthz",
        exchange -> respond(exchange, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8)));
    server.start();
    log.info("admin endpoint listening address={}", server.getAddress());
    return new AdminServer(server, executor);
  }

  /**
   * Binds {@code address} (any interface allowed) and serves only {@code GET /metrics} and {@code
   * GET /healthz}: what a Prometheus on another host scrapes. Status, which names certificates and
   * servers, stays on the loopback admin endpoint.
   *
   * @throws IOException when the address cannot be bound
   */
  public static AdminServer metricsOnly(InetSocketAddress address, PrometheusRegistry registry)
      throws IOException {
    HttpServer server = HttpServer.create(address, 16);
    ExecutorService executor = daemonThread("raftmesh-agent-metrics");
    server.setExecutor(executor);
    server.createContext("/metrics", new MetricsHandler(registry));
    server.createContext(
        "/healthz",
        exchange -> respond(exchange, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8)));
    server.createContext(
        "/",
        exchange ->
            respond(
                exchange,
                404,
                "text/plain",
                "not found (this listener serves /metrics and /healthz)\n"
                    .getBytes(StandardCharsets.UTF_8)));
    server.start();
    log.info("metrics endpoint listening address={}", server.getAddress());
    return new AdminServer(server, executor);
  }

  private static ExecutorService daemonThread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int code, String type, byte[] body)
      throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(code, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
