package io.raftmesh.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.chaos.cluster.ClusterOptions;
import io.raftmesh.chaos.cluster.ProcessCluster;
import io.raftmesh.chaos.cluster.TestDistribution;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.validate.CheckResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static stability against the real system: three servers, two agents and two services; every
 * server killed for a while, then the leader killed repeatedly; every request between the services
 * must succeed and both agents must apply the final config revision.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class TrafficWorkloadIT {
  private static final Logger log = LoggerFactory.getLogger(TrafficWorkloadIT.class);

  @Test
  void requestsBetweenServicesSucceedWhileEveryServerIsDownAndAgentsConverge() throws Exception {
    Path store = Path.of(System.getProperty("chaos.store", "target/chaos-store"));
    Files.createDirectories(store);
    try (ProcessCluster cluster =
        ProcessCluster.start(
            ClusterOptions.of(
                3,
                store.resolve("traffic-cluster-" + System.nanoTime()),
                TestDistribution.get()))) {
      ChaosRun.Result r =
          ChaosRun.run(
              cluster,
              new TrafficWorkload(Duration.ofSeconds(3), 0),
              new ChaosRun.Options(
                  EnumSet.of(FaultKind.KILL),
                  Duration.ofSeconds(36),
                  Duration.ofSeconds(3),
                  2,
                  5,
                  21,
                  store));
      log.info("SUMMARY {}", r.summary());
      Files.writeString(
          store.resolve("summaries.txt"),
          r.summary() + " " + r.results().get(0).summary() + " " + r.folder() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      CheckResult traffic = r.results().get(0);
      assertThat(r.results()).as(traffic.toString()).allMatch(CheckResult::isValid);
      assertThat(traffic.count("outage-requests")).as(traffic.summary()).isPositive();
      assertThat(traffic.count("ok")).isEqualTo(traffic.count("requests")).isPositive();
      assertThat(traffic.count("converged")).isEqualTo(2);
    }
  }
}
