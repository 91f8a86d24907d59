package io.raftmesh.chaos.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.Nemesis;
import io.raftmesh.chaos.failpoint.NemesisOp;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryJson;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.history.Operation;
import io.raftmesh.chaos.history.Values;
import io.raftmesh.chaos.report.RunFolder;
import io.raftmesh.chaos.scenarios.NemesisConfig;
import io.raftmesh.chaos.scenarios.NemesisRunner;
import io.raftmesh.chaos.scenarios.NemesisSchedule;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.validate.RegisterChecker;
import io.raftmesh.chaos.validate.RevisionChecker;
import io.raftmesh.chaos.validate.Validity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The runner, recorder and checkers together, against an in-memory store (threads, no sockets). */
@Timeout(120)
class TrafficRunnerIT {
  private final RegisterChecker register = RegisterChecker.withTimeLimit(Duration.ofSeconds(30));
  @TempDir Path dir;

  @Test
  void recordsConcurrentTrafficThatACorrectStorePasses() throws Exception {
    InMemoryRegisters store = new InMemoryRegisters();
    HistoryRecorder recorder = HistoryRecorder.inMemory();

    TrafficRunner.Stats stats =
        new TrafficRunner(
                recorder,
                store.workload(3),
                new TrafficConfig(4, Duration.ofSeconds(20), 0, 2_000, 1))
            .run();

    History h = recorder.history();
    assertThat(stats.ops()).isEqualTo(2_000);
    assertThat(h.clientOperations()).hasSize(2_000);
    assertThat(stats.ok() + stats.fail() + stats.info()).isEqualTo(2_000);
    assertThat(register.check(h).validity()).isEqualTo(Validity.VALID);
    assertThat(RevisionChecker.withMutatingFunctions(Set.of("write", "cas")).check(h).validity())
        .isEqualTo(Validity.VALID);
  }

  @Test
  void catchesAStoreThatServesStaleReads() throws Exception {
    InMemoryRegisters store = new InMemoryRegisters();
    store.staleReads.set(true);
    HistoryRecorder recorder = HistoryRecorder.inMemory();

    new TrafficRunner(
            recorder, store.workload(2), new TrafficConfig(1, Duration.ofSeconds(20), 0, 300, 7))
        .run();

    CheckResult r = register.check(recorder.history());
    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.anomalies().get(0).message()).contains("cannot be linearized");
  }

  @Test
  void recordsLostRepliesAsUnknownAndRetiresTheProcess() throws Exception {
    InMemoryRegisters store = new InMemoryRegisters();
    store.ambiguousEvery = 10;
    HistoryRecorder recorder = HistoryRecorder.inMemory();

    TrafficRunner.Stats stats =
        new TrafficRunner(
                recorder,
                store.workload(3),
                new TrafficConfig(3, Duration.ofSeconds(20), 0, 1_000, 3))
            .run();

    History h = recorder.history();
    assertThat(stats.info()).isPositive();
    Map<Integer, List<Operation>> byProcess = new TreeMap<>();
    h.clientOperations()
        .forEach(o -> byProcess.computeIfAbsent(o.process(), p -> new ArrayList<>()).add(o));
    for (List<Operation> ops : byProcess.values()) {
      for (int i = 0; i < ops.size() - 1; i++) {
        assertThat(ops.get(i).isUnknown()).as("only a process's last op may be unknown").isFalse();
      }
    }
    assertThat(byProcess.size()).isGreaterThanOrEqualTo((int) stats.info());
    assertThat(register.check(h).validity()).isEqualTo(Validity.VALID);
  }

  @Test
  void limitsTheRatePerWorker() throws Exception {
    HistoryRecorder recorder = HistoryRecorder.inMemory();
    InMemoryRegisters store = new InMemoryRegisters();

    TrafficRunner.Stats stats =
        new TrafficRunner(
                recorder, store.workload(1), new TrafficConfig(2, Duration.ofMillis(400), 50, 0, 1))
            .run();

    // 50 ops/s for 0.4 s is 20 per worker, plus the one each issues at once.
    assertThat(stats.ops()).isPositive().isLessThanOrEqualTo(2 * 21);
  }

  @Test
  void producesARunFolderWithFaultsShadedFromAFullPipeline() throws Exception {
    InMemoryRegisters store = new InMemoryRegisters();
    RunFolder run = RunFolder.create(dir, "register", 5, Clock.systemUTC());
    HistoryRecorder recorder =
        HistoryRecorder.writingTo(HistoryJson.appendingTo(run.historyFile()));
    Nemesis outage =
        new Nemesis() {
          @Override
          public JsonNode apply(NemesisOp op) {
            store.down.set(op.start());
            return Values.object().put("down", op.start());
          }

          @Override
          public JsonNode healAll() {
            store.down.set(false);
            return Values.object();
          }
        };
    NemesisSchedule schedule =
        NemesisSchedule.generate(
            NemesisConfig.of(
                Set.of(FaultKind.PARTITION), Duration.ofMillis(300), Duration.ofMillis(1_500)),
            List.of("n1", "n2", "n3"),
            5);
    NemesisRunner nemesis = new NemesisRunner(schedule, outage, recorder);

    nemesis.start();
    new TrafficRunner(
            recorder, store.workload(3), new TrafficConfig(3, Duration.ofMillis(1_800), 200, 0, 5))
        .run();
    assertThat(nemesis.awaitDone(Duration.ofSeconds(30))).isTrue();
    recorder.close();

    History h = HistoryJson.read(run.historyFile());
    run.writeRunInfo(Map.of("seed", 5));
    List<CheckResult> results = List.of(register.check(h));
    String line = run.writeResults(h, results);

    assertThat(h.nemesisOperations())
        .extracting(Operation::f)
        .contains("start-partition", "heal-all");
    assertThat(h.clientOperations().stream().filter(Operation::isUnknown)).isNotEmpty();
    assertThat(line).matches("register: valid \\([\\d,]+ ops, \\d+ partitions?\\)");
    assertThat(Files.readString(run.path().resolve("latency.svg"))).contains("class=\"fault\"");
  }
}
