package io.raftmesh.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.server.runtime.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {
  @TempDir Path dir;

  static ServerConfig settings(Map<String, String> env, String... args) {
    CommandLine cmd = RaftmeshMain.commandLine(env);
    List<String> all = new ArrayList<>(List.of("server"));
    all.addAll(List.of(args));
    cmd.parseArgs(all.toArray(new String[0]));
    ServerCommand server =
        java.util.Objects.requireNonNull(cmd.getSubcommands().get("server")).getCommand();
    return server.settings();
  }

  static final String[] REQUIRED = {
    "--id", "n1",
    "--peers", "n1=127.0.0.1:7001,n2=127.0.0.1:7002",
    "--data-dir", "/var/lib/raftmesh",
    "--tls-dir", "/etc/raftmesh/tls",
    "--kek-file", "/etc/raftmesh/kek.key"
  };

  static String[] with(String... extra) {
    List<String> out = new ArrayList<>(List.of(REQUIRED));
    out.addAll(List.of(extra));
    return out.toArray(new String[0]);
  }

  static String[] withPeers(String peers) {
    String[] args = REQUIRED.clone();
    args[3] = peers;
    return args;
  }

  @Test
  void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws IOException {
    Path file = dir.resolve("server.yaml");
    Files.writeString(
        file,
        "grpc-port: 1111\nmetrics-port: 2222\nelection-timeout-max: 700ms\nrequest-timeout: 20s\n");
    Map<String, String> env =
        Map.of(
            "RAFTMESH_SERVER_GRPC_PORT", "3333",
            "RAFTMESH_SERVER_METRICS_PORT", "4444",
            "RAFTMESH_GRPC_PORT", "9999");

    ServerConfig c = settings(env, with("--config", file.toString(), "--metrics-port", "5555"));

    assertThat(c.metricsPort()).as("flag").isEqualTo(5555);
    assertThat(c.grpcPort()).as("environment, with the server's prefix").isEqualTo(3333);
    assertThat(c.electionTimeoutMax()).as("file").isEqualTo(Duration.ofMillis(700));
    assertThat(c.requestTimeout()).as("file").isEqualTo(Duration.ofSeconds(20));
    assertThat(c.ackFlushInterval()).as("default").isEqualTo(Duration.ofSeconds(1));
    assertThat(c.peers()).containsEntry("n2", "127.0.0.1:7002");
  }

  @Test
  void everySettingCanComeFromTheEnvironmentAlone() {
    ServerConfig c =
        settings(
            Map.of(
                "RAFTMESH_SERVER_ID", "n2",
                "RAFTMESH_SERVER_PEERS", "n1=h1:7001,n2=h2:7002,n3=h3:7003",
                "RAFTMESH_SERVER_DATA_DIR", "/data",
                "RAFTMESH_SERVER_TLS_DIR", "/tls",
                "RAFTMESH_SERVER_KEK_FILE", "/kek",
                "RAFTMESH_SERVER_CHANGE_LOG_AGE", "2h",
                "RAFTMESH_SERVER_JOIN", "true"));
    assertThat(c.id()).isEqualTo("n2");
    assertThat(c.raftAddress()).isEqualTo("h2:7002");
    assertThat(c.changeLogAge()).isEqualTo(Duration.ofHours(2));
    assertThat(c.joinExisting()).isTrue();
  }

  @Test
  void aMissingSettingNamesEveryWayToGiveIt() {
    assertThatThrownBy(() -> settings(Map.of(), "--id", "n1"))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            "--peers is required (as a flag, as RAFTMESH_SERVER_PEERS, or as peers: in --config)");
  }

  @Test
  void badValuesReadNameValueAndReason() {
    assertThatThrownBy(() -> settings(Map.of(), with("--election-timeout-max", "600")))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("--election-timeout-max=600 is not valid");
    assertThatThrownBy(() -> settings(Map.of(), with("--grpc-port", "http")))
        .hasMessage("--grpc-port=http is not valid: not a port number");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(),
                    with("--election-timeout-min", "900ms", "--election-timeout-max", "800ms")))
        .hasMessageContaining(
            "election-timeout-max: PT0.8S (expected: above election-timeout-min PT0.9S)");
    assertThatThrownBy(() -> settings(Map.of(), withPeers("n2=h:1,n3=h:2")))
        .hasMessage(
            "--peers=n2=h:1,n3=h:2 is not valid: it does not include this server (--id n1)");
    assertThatThrownBy(() -> settings(Map.of(), withPeers("n1=h:1,n2")))
        .hasMessage("--peers=n1=h:1,n2 is not valid: \"n2\" (expected: ID=HOST:PORT)");
  }

  @Test
  void aConfigFileWithATypoOrMissingIsAUsageError() throws IOException {
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "grpc-prot: 7443\n");
    assertThatThrownBy(() -> settings(Map.of(), with("--config", typo.toString())))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("unknown setting \"grpc-prot\"");
    assertThatThrownBy(
            () -> settings(Map.of(), with("--config", dir.resolve("none.yaml").toString())))
        .hasMessageContaining("no such file");
  }
}
