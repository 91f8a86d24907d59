package io.raftmesh.server.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Serves {@code /metrics} (Prometheus text and OpenMetrics) over plain HTTP. */
public final class MetricsEndpoint implements AutoCloseable {
  private final HTTPServer server;
  private final ExecutorService executor;

  private MetricsEndpoint(HTTPServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving {@code registry} on {@code host:port} (port 0: any free port).
   *
   * @throws IOException when the port cannot be bound
   */
  public static MetricsEndpoint start(PrometheusRegistry registry, String host, int port)
      throws IOException {
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "raftmesh-metrics-http");
              t.setDaemon(true);
              return t;
            });
    try {
      HTTPServer server =
          HTTPServer.builder()
              .hostname(host)
              .port(port)
              .registry(registry)
              .executorService(executor)
              .buildAndStart();
      return new MetricsEndpoint(server, executor);
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
    executor.shutdownNow();
  }
}
