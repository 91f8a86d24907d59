package io.raftmesh.chaos.workload;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.failpoint.ClusterNemesis;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.Targets;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryJson;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.report.RunFolder;
import io.raftmesh.chaos.scenarios.NemesisConfig;
import io.raftmesh.chaos.scenarios.NemesisRunner;
import io.raftmesh.chaos.scenarios.NemesisSchedule;
import io.raftmesh.chaos.traffic.TrafficConfig;
import io.raftmesh.chaos.traffic.TrafficRunner;
import io.raftmesh.chaos.validate.CheckResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run of one workload: traffic from concurrent workers while a seeded nemesis breaks the
 * cluster, then a heal, the workload's final reads, the checks, and a run folder with the history,
 * the nemesis log, the verdicts, the summary line and the plots.
 *
 * <pre>{@code
 * ChaosRun.Result r = ChaosRun.run(cluster, new RegisterWorkload(5, Duration.ofSeconds(3)),
 *     ChaosRun.Options.of(Set.of(FaultKind.KILL, FaultKind.PAUSE), Duration.ofSeconds(30), store));
 * System.out.println(r.summary()); // register: valid (1,204 ops, 2 kills, 1 pause)
 * }</pre>
 */
public final class ChaosRun {
  private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);

  private ChaosRun() {}

  /**
   * How to run.
   *
   * @param faults the faults wanted (those the cluster cannot inject are skipped and reported)
   * @param time how long traffic and faults last
   * @param interval time between nemesis operations
   * @param workers concurrent clients
   * @param ratePerWorker operations per second per client
   * @param seed seeds the schedule and the traffic
   * @param store where run folders go
   */
  public record Options(
      Set<FaultKind> faults,
      Duration time,
      Duration interval,
      int workers,
      double ratePerWorker,
      long seed,
      Path store) {
    /** Validates. */
    public Options {
      faults = faults.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(faults));
      requireNonNull(time, "time");
      requireNonNull(interval, "interval");
      requireNonNull(store, "store");
    }

    /** Four workers at 10 ops/s each, a fault operation every 3 s, seed 1. */
    public static Options of(Set<FaultKind> faults, Duration time, Path store) {
      return new Options(faults, time, Duration.ofSeconds(3), 4, 10, 1, store);
    }

    /** This with another seed. */
    public Options withSeed(long newSeed) {
      return new Options(faults, time, interval, workers, ratePerWorker, newSeed, store);
    }
  }

  /**
   * What a run found.
   *
   * @param summary the summary line ({@code register: valid (1,204 ops, 2 kills)})
   * @param results every checker's verdict
   * @param history the recorded history
   * @param folder the run folder
   * @param skippedFaults faults asked for that this cluster cannot inject, with the reason
   */
  public record Result(
      String summary,
      List<CheckResult> results,
      History history,
      Path folder,
      Map<FaultKind, String> skippedFaults) {
    /** Whether every checker found the history valid. */
    public boolean valid() {
      return results.stream().allMatch(CheckResult::isValid);
    }
  }

  /** Runs {@code workload} against {@code cluster}. */
  public static Result run(Cluster cluster, ChaosWorkload workload, Options options)
      throws Exception {
    RunFolder folder =
        RunFolder.create(options.store(), workload.name(), options.seed(), Clock.systemUTC());
    Set<FaultKind> faults = cluster.capabilities().supported(options.faults());
    Map<FaultKind, String> skipped = new LinkedHashMap<>();
    for (FaultKind k : options.faults()) {
      if (!faults.contains(k)) {
        skipped.put(k, cluster.capabilities().missing().get(k));
        log.warn("fault {} skipped: {}", k.label(), cluster.capabilities().missing().get(k));
      }
    }
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("workload", workload.name());
    info.put("seed", options.seed());
    info.put("nodes", cluster.nodes());
    info.put("faults", faults.stream().map(FaultKind::label).toList());
    info.put("skippedFaults", labels(skipped));
    info.put("timeSeconds", options.time().toSeconds());
    info.put("workers", options.workers());
    info.put("ratePerWorker", options.ratePerWorker());
    folder.writeRunInfo(info);
    try (HistoryRecorder recorder =
        HistoryRecorder.writingTo(HistoryJson.appendingTo(folder.historyFile()))) {
      workload.setUp(cluster, recorder);
      @Nullable NemesisRunner nemesis = null;
      java.util.Optional<NemesisSchedule> own = workload.schedule(cluster.nodes(), options);
      if (!faults.isEmpty() || own.isPresent()) {
        NemesisSchedule schedule;
        if (own.isPresent()) {
          schedule = own.get();
        } else {
          NemesisConfig config =
              NemesisConfig.of(faults, options.interval(), options.time())
                  .withTargets(List.of(Targets.ONE, Targets.LEADER, Targets.MINORITY));
          schedule = NemesisSchedule.generate(config, cluster.nodes(), options.seed());
        }
        nemesis =
            new NemesisRunner(
                schedule,
                new ClusterNemesis(
                    cluster.nodeControl(), cluster.network(), new Random(options.seed())),
                recorder);
        nemesis.start();
      }
      try {
        new TrafficRunner(
                recorder,
                workload.traffic(cluster),
                new TrafficConfig(
                    options.workers(), options.time(), options.ratePerWorker(), 0, options.seed()))
            .run();
      } finally {
        if (nemesis != null) {
          nemesis.requestStop();
          if (!nemesis.awaitDone(Duration.ofMinutes(2))) {
            throw new IOException("the nemesis did not finish its final heal in 2 minutes");
          }
          nemesis.close();
        }
      }
      awaitLeader(cluster, Duration.ofSeconds(90));
      workload.finish(cluster, recorder);
      History history = recorder.history();
      List<CheckResult> results = new ArrayList<>(workload.check(history));
      String line = folder.writeResults(history, results);
      log.info("{} -> {}", line, folder.path());
      return new Result(line, results, history, folder.path(), skipped);
    } finally {
      workload.close();
    }
  }

  private static Map<String, String> labels(Map<FaultKind, String> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k.label(), v));
    return out;
  }

  /** Waits until some node reports a leader (after the heal), so final reads can succeed. */
  static void awaitLeader(Cluster cluster, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cluster.leader().isEmpty()) {
      if (System.nanoTime() - deadline > 0) {
        log.warn("no leader {} after the heal; final reads will likely be unknown", timeout);
        return;
      }
      Thread.sleep(250);
    }
  }
}
