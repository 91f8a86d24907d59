package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.raftmesh.agent.config.HealthCheckConfig;
import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.health.NetworkProbe;
import io.raftmesh.proto.v1.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real health probes against loopback servers: HTTP GET status codes and TCP connects. */
@Timeout(30)
class NetworkProbeIT {
  private static LocalServiceConfig service(int port, HealthCheckConfig check) {
    return new LocalServiceConfig(
        "shop",
        "web",
        Protocol.HTTP,
        "127.0.0.1",
        port,
        15443,
        0,
        Map.of(),
        1,
        "",
        check,
        List.of());
  }

  // Generous timeouts: the JDK HTTP client's first request on a loaded machine took over 500 ms.
  private static HealthCheckConfig http(String path) {
    return new HealthCheckConfig(
        HealthCheckConfig.Kind.HTTP, path, Duration.ofSeconds(10), Duration.ofSeconds(5), 1, 1);
  }

  private static final HealthCheckConfig TCP =
      new HealthCheckConfig(
          HealthCheckConfig.Kind.TCP, "", Duration.ofSeconds(10), Duration.ofSeconds(5), 1, 1);

  @Test
  void httpPassesOn2xxAnd3xxAndFailsOn5xxOrNoServer() throws Exception {
    AtomicInteger code = new AtomicInteger(200);
    HttpServer app =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    app.createContext(
        "/healthz",
        ex -> {
          ex.sendResponseHeaders(code.get(), -1);
          ex.close();
        });
    app.start();
    try {
      NetworkProbe probe = new NetworkProbe();
      LocalServiceConfig s = service(app.getAddress().getPort(), http("/healthz"));
      assertThat(probe.check(s)).isEqualTo(new HealthProbe.Result(true, "GET /healthz: 200"));
      code.set(302);
      assertThat(probe.check(s).passed()).isTrue();
      code.set(503);
      assertThat(probe.check(s)).isEqualTo(new HealthProbe.Result(false, "GET /healthz: 503"));
    } finally {
      app.stop(0);
    }
    HealthProbe.Result down = new NetworkProbe().check(service(closedPort(), http("/healthz")));
    assertThat(down.passed()).isFalse();
    assertThat(down.detail()).startsWith("GET /healthz: ");
  }

  @Test
  void tcpPassesWhenSomethingListensAndFailsOtherwise() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      assertThat(new NetworkProbe().check(service(listening.getLocalPort(), TCP)).passed())
          .isTrue();
    }
    HealthProbe.Result down = new NetworkProbe().check(service(closedPort(), TCP));
    assertThat(down.passed()).isFalse();
    assertThat(down.detail()).contains("connect 127.0.0.1:");
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
