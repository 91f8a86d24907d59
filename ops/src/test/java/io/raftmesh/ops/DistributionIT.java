package io.raftmesh.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution {@code mvn package} assembles: the layout other tools rely on (chaos tests, the
 * Dockerfile), and {@code bin/raftmesh} working from any directory for both programs.
 */
@Timeout(180)
class DistributionIT {
  private static final Path DIST = Path.of(System.getProperty("raftmesh.dist"));
  private static final String VERSION = System.getProperty("raftmesh.version");

  @TempDir Path elsewhere;

  @Test
  void layoutHasLauncherJarsExamplesDemoAndConf() {
    assertThat(DIST.resolve("bin/raftmesh")).isExecutable();
    assertThat(DIST.resolve("lib/server/control-server-" + VERSION + ".jar")).isRegularFile();
    assertThat(DIST.resolve("lib/agent/data-plane-agent-" + VERSION + ".jar")).isRegularFile();
    assertThat(DIST.resolve("lib/agent")).isDirectoryContaining("glob:**/picocli-*.jar");
    assertThat(DIST.resolve("lib/server")).isDirectoryContaining("glob:**/rocksdbjni-*.jar");
    assertThat(DIST.resolve("examples/mesh.yaml")).isRegularFile();
    assertThat(DIST.resolve("conf/logback-agent.xml")).isRegularFile();
    for (String script : List.of("backend.py", "frontend.py", "client.py")) {
      assertThat(DIST.resolve("demo").resolve(script)).isExecutable();
    }
    // The Dockerfile copies this directory: ops/target/raftmesh-${VERSION}/raftmesh-${VERSION}/.
    Path repo = OpsFiles.opsDir().getParent();
    assertThat(repo.resolve("ops/target/raftmesh-" + VERSION + "/raftmesh-" + VERSION))
        .isEqualTo(DIST);
    assertThat(OpsFiles.read(OpsFiles.opsDir().resolve("Dockerfile")))
        .contains("ARG VERSION=" + VERSION);
  }

  @Test
  void launcherRunsTheServerCliAndTheAgentFromAnyDirectory() {
    String launcher = DIST.resolve("bin/raftmesh").toString();

    OpsFiles.Run server = OpsFiles.run(elsewhere, 120, List.of(launcher, "--version"));
    OpsFiles.Run agent = OpsFiles.run(elsewhere, 120, List.of(launcher, "agent", "--version"));

    assertThat(server.code()).as(server.output()).isZero();
    assertThat(server.output()).contains(VERSION);
    assertThat(agent.code()).as(agent.output()).isZero();
    assertThat(agent.output()).contains("raftmesh agent " + VERSION);
  }

  @Test
  void exampleServerConfigUsesOnlyOptionsTheServerHas() {
    String help =
        OpsFiles.run(
                elsewhere,
                120,
                List.of(DIST.resolve("bin/raftmesh").toString(), "server", "--help"))
            .output();
    var keys = OpsFiles.yamlDocuments(DIST.resolve("examples/server.yaml")).get(0).fieldNames();

    assertThat(help).contains("--peers");
    keys.forEachRemaining(
        key -> assertThat(help).as("server option --%s", key).contains("--" + key + "="));
  }
}
