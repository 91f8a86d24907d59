package io.raftmesh.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  static ServerConfig.Builder builder(String id, Map<String, String> peers) {
    return ServerConfig.builder(id, peers, Path.of("d"), Path.of("t"), Path.of("k"));
  }

  @Test
  void defaultsAreTheCommandsDefaults() {
    ServerConfig c = builder("n1", Map.of("n1", "10.0.0.1:7001")).build();
    assertThat(c.grpcPort()).isEqualTo(7443);
    assertThat(c.metricsPort()).isEqualTo(9464);
    assertThat(c.electionTimeoutMin()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.raftAddress()).isEqualTo("10.0.0.1:7001");
  }

  @Test
  void invalidFieldsAreNamedWithTheirValueAndConstraint() {
    assertThatThrownBy(() -> builder("N1", Map.of("N1", "h:1")).build())
        .hasMessage("id: N1 (expected: a DNS label: 1-63 of a-z 0-9 -)");
    assertThatThrownBy(() -> builder("n1", Map.of("n1", "h:0")).build())
        .hasMessageContaining("peers: n1=h:0 (expected: ID=HOST:PORT with a port in 1..65535)");
    assertThatThrownBy(() -> builder("n1", Map.of("n2", "h:1")).build())
        .hasMessage("peers: n2 (expected: to include this server's id n1)");
    assertThatThrownBy(
            () ->
                builder("n1", Map.of("n1", "h:1"))
                    .electionTimeout(Duration.ofMillis(100), Duration.ofSeconds(3))
                    .build())
        .hasMessage("election-timeout-max: PT3S (expected: below 2s)");
    assertThatThrownBy(() -> builder("n1", Map.of("n1", "h:1")).metricsPort(-2).build())
        .hasMessage("metrics-port: -2 (expected: 0..65535, or -1 for none)");
  }
}
