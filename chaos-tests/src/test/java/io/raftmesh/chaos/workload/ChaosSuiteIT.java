package io.raftmesh.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.chaos.cluster.ClusterOptions;
import io.raftmesh.chaos.cluster.ProcessCluster;
import io.raftmesh.chaos.cluster.TestDistribution;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.validate.CheckResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The short chaos suite of the default build: one three-server cluster from the distribution
 * (processes backend; network namespaces when the build runs as root), each workload for about 20
 * seconds under kills, pauses and, where namespaces exist, partitions and packet loss. Every run's
 * folder goes under {@code target/chaos-store}, and its summary line is printed and appended to
 * {@code target/chaos-store/summaries.txt}; faults the machine cannot inject are logged as skipped
 * with the reason.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosSuiteIT {
  private static final Logger log = LoggerFactory.getLogger(ChaosSuiteIT.class);
  private static final Duration TIME = Duration.ofSeconds(20);
  private static final Duration REQUEST = Duration.ofSeconds(3);
  static ProcessCluster cluster;
  static Path store;

  @BeforeAll
  static void start() throws IOException {
    store = Path.of(System.getProperty("chaos.store", "target/chaos-store"));
    Files.createDirectories(store);
    cluster =
        ProcessCluster.start(
            ClusterOptions.of(
                3, store.resolve("cluster-" + System.nanoTime()), TestDistribution.get()));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ChaosRun.Result run(ChaosWorkload w, Set<FaultKind> faults, long seed) throws Exception {
    ChaosRun.Options o =
        new ChaosRun.Options(faults, TIME, Duration.ofSeconds(3), 4, 10, seed, store);
    ChaosRun.Result r = ChaosRun.run(cluster, w, o);
    String skipped =
        r.skippedFaults().isEmpty()
            ? ""
            : " [skipped: "
                + r.skippedFaults().entrySet().stream()
                    .map(e -> e.getKey().label() + " (" + e.getValue() + ")")
                    .collect(Collectors.joining(", "))
                + "]";
    log.info("SUMMARY {}{}", r.summary(), skipped);
    Files.writeString(
        store.resolve("summaries.txt"),
        r.summary() + skipped + " " + r.folder() + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    assertThat(r.results())
        .as("%s\n%s", r.summary(), r.results().stream().map(CheckResult::summary).toList())
        .allMatch(CheckResult::isValid);
    assertThat(r.history().clientOperations().stream().filter(op -> op.isOk()).count())
        .as("acknowledged operations in %s", r.summary())
        .isPositive();
    return r;
  }

  @Test
  @Order(1)
  void registersStayLinearizableUnderKillsPausesAndPartitions() throws Exception {
    run(
        new RegisterWorkload(4, REQUEST),
        EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION),
        11);
  }

  @Test
  @Order(2)
  void setLosesNoAcknowledgedAddUnderPartitionsAndKills() throws Exception {
    run(
        new SetWorkload(REQUEST),
        EnumSet.of(FaultKind.PARTITION, FaultKind.KILL, FaultKind.LOSSY_NETWORK),
        12);
  }

  @Test
  @Order(3)
  void deltaStreamsStayGapFreeAcrossReconnectsUnderFaults() throws Exception {
    run(
        new DeltaWorkload(6, 3, REQUEST, 13),
        EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION),
        13);
  }

  @Test
  @Order(4)
  void identityIssuesUniqueValidCertificatesAndHonoursOneUseTokens() throws Exception {
    run(
        new IdentityWorkload(30, REQUEST),
        EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION),
        14);
  }

  @Test
  @Order(5)
  void requestsBetweenServicesSucceedWhileEveryServerIsDownAndAgentsConverge() throws Exception {
    ChaosRun.Result r =
        ChaosRun.run(
            cluster,
            new TrafficWorkload(REQUEST, 0),
            new ChaosRun.Options(
                EnumSet.of(FaultKind.KILL),
                Duration.ofSeconds(40),
                Duration.ofSeconds(3),
                2,
                5,
                15,
                store));
    CheckResult traffic = r.results().get(0);
    log.info("SUMMARY {} {}", r.summary(), traffic.summary());
    Files.writeString(
        store.resolve("summaries.txt"),
        r.summary() + " " + traffic.summary() + " " + r.folder() + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    assertThat(r.results()).as(traffic.toString()).allMatch(CheckResult::isValid);
    assertThat(traffic.count("outage-requests")).as(traffic.summary()).isPositive();
    assertThat(traffic.count("ok")).isEqualTo(traffic.count("requests")).isPositive();
    assertThat(traffic.count("converged")).isEqualTo(2);
  }
}
