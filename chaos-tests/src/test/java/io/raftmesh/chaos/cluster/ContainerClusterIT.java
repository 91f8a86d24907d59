package io.raftmesh.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.workload.ChaosRun;
import io.raftmesh.chaos.workload.RegisterWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The containers backend: where a Docker engine answers, three containers from the image run the
 * register workload under kills and pauses; elsewhere the test is skipped with the reason.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ContainerClusterIT {
  @TempDir Path dir;

  @Test
  void registersStayLinearizableInContainersUnderKillsAndPauses() throws Exception {
    Optional<String> why = ContainerCluster.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "containers backend skipped: " + why.orElse(""));
    try (ContainerCluster c =
        ContainerCluster.start(
            ClusterOptions.of(3, dir.resolve("cluster"), TestDistribution.get()))) {
      ChaosRun.Result r =
          ChaosRun.run(
              c,
              new RegisterWorkload(3, Duration.ofSeconds(3)),
              new ChaosRun.Options(
                  EnumSet.of(FaultKind.KILL, FaultKind.PAUSE),
                  Duration.ofSeconds(15),
                  Duration.ofSeconds(3),
                  3,
                  10,
                  21,
                  dir.resolve("store")));
      assertThat(r.valid()).as(r.summary()).isTrue();
    }
  }

  @Test
  void startFailsWithTheReasonWhereNoEngineRuns() {
    Optional<String> why = ContainerCluster.unavailableReason();
    assumeTrue(why.isPresent(), "a Docker engine answers here");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ContainerCluster.start(
                    ClusterOptions.of(3, dir.resolve("c"), TestDistribution.get())))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("no Docker engine found");
  }
}
