package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
  static final Path DIR = Path.of("/tmp/raftmesh-config-test");

  @Test
  void defaultsAreValid() {
    StoreConfig c = StoreConfig.builder("n1", Map.of("n1", "127.0.0.1:9000"), DIR).build();
    assertThat(c.maxValueBytes()).isEqualTo(1024 * 1024);
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.toString()).contains("tls=off");
  }

  @Test
  void peersMustIncludeThisMember() {
    assertThatThrownBy(() -> StoreConfig.builder("n9", Map.of("n1", "127.0.0.1:9000"), DIR).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("peers: [n1] (expected: to include memberId n9)");
  }

  @Test
  void addressMustBeHostAndPort() {
    assertThatThrownBy(() -> StoreConfig.builder("n1", Map.of("n1", "localhost"), DIR).build())
        .hasMessage("peers[n1]: localhost (expected: host:port)");
    assertThatThrownBy(() -> StoreConfig.builder("n1", Map.of("n1", "h:70000"), DIR).build())
        .hasMessage("peers[n1]: h:70000 (expected: a port in 1..65535)");
  }

  @Test
  void electionTimeoutRangeMustBeOrdered() {
    assertThatThrownBy(
            () ->
                StoreConfig.builder("n1", Map.of("n1", "127.0.0.1:9000"), DIR)
                    .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(200))
                    .build())
        .hasMessage("electionTimeoutMax: PT0.2S (expected: above electionTimeoutMin PT0.3S)");
  }

  @Test
  void requestLimitMustFitTheValueLimit() {
    assertThatThrownBy(
            () ->
                StoreConfig.builder("n1", Map.of("n1", "127.0.0.1:9000"), DIR)
                    .maxValueBytes(1024 * 1024)
                    .maxRequestBytes(1024 * 1024)
                    .build())
        .hasMessageStartingWith(
            "maxRequestBytes: 1048576 (expected: at least maxValueBytes + 8192");
  }
}
