package io.raftmesh.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChaosMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ChaosMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void rejectsAnUnknownWorkloadNamingTheChoices() {
    assertThat(run("--workload", "bank", "--dist", "/nowhere")).isEqualTo(64);
    assertThat(err()).contains("--workload: bank (expected: one of [register, set, deltas");
  }

  @Test
  void rejectsAnUnknownFault() {
    assertThat(run("--nemesis", "kill,meteor", "--dist", "/nowhere")).isEqualTo(64);
    assertThat(err()).contains("meteor");
  }

  @Test
  void acceptsOnlyThreeOrFiveNodes() {
    assertThat(run("--nodes", "4", "--dist", "/nowhere")).isEqualTo(64);
    assertThat(err()).contains("--nodes: 4 (expected: 3 or 5)");
  }

  @Test
  void rejectsANonPositiveTimeAndAnUnknownBackend() {
    assertThat(run("--time", "0", "--dist", "/nowhere")).isEqualTo(64);
    assertThat(err()).contains("--time: 0 (expected: a positive integer)");
    assertThat(run("--backend", "vm", "--dist", "/nowhere")).isEqualTo(64);
    assertThat(err()).contains("--backend: vm (expected: processes or containers)");
  }

  @Test
  void rejectsUnknownOptionsAndAMissingDistribution() {
    assertThat(run("--colour", "red")).isEqualTo(64);
    assertThat(err()).contains("unknown option --colour");
    assertThat(run("--workload", "register")).isEqualTo(64);
    assertThat(err()).contains("--dist: missing");
    assertThat(run("--workload", "register", "--dist", "/nowhere")).isEqualTo(64);
    assertThat(err()).contains("distribution: /nowhere");
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--workload register|set|deltas");
  }
}
