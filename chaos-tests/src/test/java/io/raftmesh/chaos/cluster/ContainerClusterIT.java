package io.raftmesh.chaos.cluster;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.net.Grudge;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.workload.ChaosRun;
import io.raftmesh.chaos.workload.ChaosWorkload;
import io.raftmesh.chaos.workload.RegisterWorkload;
import io.raftmesh.chaos.workload.SetWorkload;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
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
 * The containers backend against a real Docker engine: one three-server cluster in containers
 * (image from {@code ops/Dockerfile}), a partition written into the containers' namespaces and
 * healed, then the short container suite: register and set workloads under kills, pauses,
 * partitions and packet loss. Summary lines go to the log and to {@code
 * target/chaos-store/container-summaries.txt}.
 *
 * <p>Where no engine answers, every test but the first is skipped with the reason; with {@code
 * -Dchaos.containers.required=true} (set by {@code ops/test.sh} when it started an engine) they
 * fail instead, so CI cannot pass by skipping.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerClusterIT {
  private static final Logger log = LoggerFactory.getLogger(ContainerClusterIT.class);
  private static final Duration TIME = Duration.ofSeconds(20);
  private static final Duration REQUEST = Duration.ofSeconds(3);
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static Optional<String> unavailable = Optional.empty();
  static @Nullable ContainerCluster cluster;
  static Path store;

  @BeforeAll
  static void start() throws IOException {
    store = Path.of(System.getProperty("chaos.store", "target/chaos-store"));
    Files.createDirectories(store);
    unavailable = ContainerCluster.unavailableReason();
    if (unavailable.isPresent()) {
      log.warn("containers backend skipped: {}", unavailable.get());
      assertThat(Boolean.getBoolean("chaos.containers.required"))
          .as("chaos.containers.required=true but: %s", unavailable.get())
          .isFalse();
      return;
    }
    long t0 = System.nanoTime();
    cluster =
        ContainerCluster.start(
            ClusterOptions.of(
                3, store.resolve("containers-" + System.nanoTime()), TestDistribution.get()));
    log.info(
        "containers: cluster of 3 up in {} s",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ContainerCluster c() {
    return requireNonNull(cluster, "cluster");
  }

  private static void assumeEngine() {
    assumeTrue(unavailable.isEmpty(), () -> "containers backend skipped: " + unavailable.get());
  }

  @Test
  @Order(0)
  void startFailsWithTheReasonWhereNoEngineRuns() {
    assumeTrue(unavailable.isPresent(), "a Docker engine answers here");
    assertThatThrownBy(
            () ->
                ContainerCluster.start(
                    ClusterOptions.of(3, store.resolve("none"), TestDistribution.get())))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("no Docker engine found");
  }

  @Test
  @Order(1)
  void isolatedLeaderLosesLeadershipToTheMajorityAndHealingReunitesTheCluster() throws Exception {
    assumeEngine();
    assumeTrue(
        c().capabilities().supports(FaultKind.PARTITION),
        () -> "partitions: " + c().capabilities().missing().get(FaultKind.PARTITION));
    String old = awaitLeader(Set.of()).orElseThrow();
    List<String> rest = c().nodes().stream().filter(n -> !n.equals(old)).toList();
    c().network().partition(Grudge.isolate(old, c().nodes()));
    try {
      assertThat(c().rules(old)).contains("drop");
      assertThat(c().rules(rest.get(0))).contains("drop");
      // The majority elects one of its own.
      Optional<String> fresh = awaitLeaderAmong(rest);
      assertThat(fresh).as("a leader among %s while %s is cut off", rest, old).isPresent();
    } finally {
      c().network().partition(Grudge.none());
    }
    assertThat(c().rules(old)).doesNotContain("drop");
    // After the heal every node, the old leader included, follows one leader.
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    Set<String> leaders = Set.of();
    while (System.nanoTime() < deadline) {
      leaders =
          c().nodes().stream()
              .map(ContainerClusterIT::status)
              .map(s -> s.map(StatusResponse::getLeaderId).orElse(""))
              .collect(Collectors.toSet());
      if (leaders.size() == 1 && !leaders.contains("")) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(leaders)
        .as("leaders seen by the nodes after the heal")
        .hasSize(1)
        .doesNotContain("");
  }

  @Test
  @Order(2)
  void registersStayLinearizableInContainersUnderKillsPausesAndPartitions() throws Exception {
    assumeEngine();
    run(
        new RegisterWorkload(4, REQUEST),
        EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION),
        31);
  }

  @Test
  @Order(3)
  void setLosesNoAcknowledgedAddInContainersUnderKillsPartitionsAndLoss() throws Exception {
    assumeEngine();
    run(
        new SetWorkload(REQUEST),
        EnumSet.of(FaultKind.KILL, FaultKind.PARTITION, FaultKind.LOSSY_NETWORK),
        32);
  }

  private static void run(ChaosWorkload w, Set<FaultKind> faults, long seed) throws Exception {
    ChaosRun.Options o =
        new ChaosRun.Options(faults, TIME, Duration.ofSeconds(3), 3, 10, seed, store);
    ChaosRun.Result r = ChaosRun.run(c(), w, o);
    String skipped =
        r.skippedFaults().isEmpty()
            ? ""
            : " [skipped: "
                + r.skippedFaults().entrySet().stream()
                    .map(e -> e.getKey().label() + " (" + e.getValue() + ")")
                    .collect(Collectors.joining(", "))
                + "]";
    log.info("SUMMARY containers {}{}", r.summary(), skipped);
    Files.writeString(
        store.resolve("container-summaries.txt"),
        "containers " + r.summary() + skipped + " " + r.folder() + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    assertThat(r.results())
        .as("%s\n%s", r.summary(), r.results().stream().map(CheckResult::summary).toList())
        .allMatch(CheckResult::isValid);
    assertThat(r.history().clientOperations().stream().filter(op -> op.isOk()).count())
        .as("acknowledged operations in %s", r.summary())
        .isPositive();
    assertThat(r.skippedFaults()).as("faults skipped in %s", r.summary()).isEmpty();
  }

  private static Optional<String> awaitLeader(Set<String> excluded) throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> l = c().leader();
      if (l.isPresent() && !excluded.contains(l.get())) {
        return l;
      }
      Thread.sleep(500);
    }
    return Optional.empty();
  }

  private static Optional<String> awaitLeaderAmong(List<String> nodes) throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (System.nanoTime() < deadline) {
      for (String n : nodes) {
        Optional<String> l = status(n).map(StatusResponse::getLeaderId);
        if (l.isPresent() && nodes.contains(l.get())) {
          return l;
        }
      }
      Thread.sleep(500);
    }
    return Optional.empty();
  }

  private static Optional<StatusResponse> status(String node) {
    try {
      return Optional.of(
          ClusterServiceGrpc.newBlockingStub(c().channel(node))
              .withDeadlineAfter(3, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
