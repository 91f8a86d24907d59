package io.raftmesh.chaos.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.Nemesis;
import io.raftmesh.chaos.failpoint.NemesisOp;
import io.raftmesh.chaos.history.Event;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.history.Operation;
import io.raftmesh.chaos.history.Values;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NemesisRunnerTest {
  private final AtomicLong clock = new AtomicLong();
  private final HistoryRecorder recorder = HistoryRecorder.withClock(clock::get, null);
  private final List<String> applied = new ArrayList<>();

  private final Nemesis recording =
      new Nemesis() {
        @Override
        public JsonNode apply(NemesisOp op) throws IOException {
          if (op.kind() == FaultKind.PAUSE) {
            throw new IOException("kill(1) failed");
          }
          applied.add(op.f() + "@" + clock.get() / 1_000_000);
          return Values.object().put("done", op.f());
        }

        @Override
        public JsonNode healAll() {
          applied.add("heal-all@" + clock.get() / 1_000_000);
          return Values.object();
        }
      };

  private static ScheduledOp at(long millis, NemesisOp op, boolean fin) {
    return new ScheduledOp(Duration.ofMillis(millis), op, fin);
  }

  private final NemesisSchedule schedule =
      NemesisSchedule.of(
          5,
          List.of(
              at(100, NemesisOp.kill(List.of("n1")), false),
              at(200, NemesisOp.stop(FaultKind.KILL), false),
              at(300, NemesisOp.slow(Duration.ofMillis(10), Duration.ZERO), false),
              at(400, NemesisOp.stop(FaultKind.SLOW_NETWORK), true)));

  /** A waiter that advances the fake clock instead of sleeping; stops once past stopAtMillis. */
  private NemesisRunner runner(long stopAtMillis) {
    return new NemesisRunner(
        schedule,
        recording,
        recorder,
        clock::get,
        nanos -> {
          clock.addAndGet(nanos);
          return clock.get() > stopAtMillis * 1_000_000;
        });
  }

  @Test
  void appliesEachOperationAtItsTimeAndRecordsItAsNemesisInfo() {
    runner(Long.MAX_VALUE / 2_000_000).run();

    assertThat(applied)
        .containsExactly(
            "start-kill@100",
            "stop-kill@200",
            "start-slow-network@300",
            "stop-slow-network@400",
            "heal-all@400");
    List<Operation> ops = recorder.history().nemesisOperations();
    assertThat(ops)
        .extracting(Operation::f)
        .containsExactly(
            "start-kill", "stop-kill", "start-slow-network", "stop-slow-network", "heal-all");
    assertThat(ops).allMatch(o -> o.process() == Event.NEMESIS && o.isUnknown());
    assertThat(String.valueOf(ops.get(0).input())).isEqualTo("{\"nodes\":[\"n1\"]}");
    assertThat(String.valueOf(ops.get(0).output())).isEqualTo("{\"done\":\"start-kill\"}");
    assertThat(ops.get(0).invokeTime()).isEqualTo(100_000_000L);
  }

  @Test
  void stoppingEarlySkipsRemainingFaultsButStillHeals() {
    runner(250).run();

    assertThat(applied)
        .containsExactly(
            "start-kill@100", "stop-kill@200", "stop-slow-network@300", "heal-all@300");
  }

  @Test
  void recordsAFailedFaultAndCarriesOn() {
    NemesisRunner r =
        new NemesisRunner(
            NemesisSchedule.of(
                1,
                List.of(
                    at(10, NemesisOp.pause(List.of("n2")), false),
                    at(20, NemesisOp.stop(FaultKind.PAUSE), true))),
            recording,
            recorder,
            clock::get,
            nanos -> {
              clock.addAndGet(nanos);
              return false;
            });

    r.run();

    assertThat(r.failures()).isEqualTo(2);
    Operation failed = recorder.history().nemesisOperations().get(0);
    assertThat(failed.error()).contains("kill(1) failed");
    assertThat(applied).containsExactly("heal-all@20");
  }
}
