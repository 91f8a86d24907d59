package io.raftmesh.chaos.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.NemesisOp;
import io.raftmesh.chaos.failpoint.PartitionKind;
import io.raftmesh.chaos.failpoint.Targets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NemesisScheduleTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");
  private static final NemesisConfig ALL =
      NemesisConfig.of(
              EnumSet.allOf(FaultKind.class), Duration.ofSeconds(10), Duration.ofMinutes(10))
          .withTargets(List.of(Targets.ONE, Targets.MINORITY, Targets.LEADER, Targets.MAJORITY));

  @Test
  void sameSeedGivesTheSameScheduleAndAnotherSeedADifferentOne() {
    assertThat(NemesisSchedule.generate(ALL, NODES, 42).ops())
        .isEqualTo(NemesisSchedule.generate(ALL, NODES, 42).ops());
    assertThat(NemesisSchedule.generate(ALL, NODES, 43).ops())
        .isNotEqualTo(NemesisSchedule.generate(ALL, NODES, 42).ops());
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void alternatesStartAndStopPerKindAndHealsEverythingAtTheEnd(long seed) {
    NemesisSchedule s = NemesisSchedule.generate(ALL, NODES, seed);

    Map<FaultKind, Boolean> active = new HashMap<>();
    Duration last = Duration.ZERO;
    for (ScheduledOp op : s.ops()) {
      assertThat(op.at()).isGreaterThanOrEqualTo(last).isLessThanOrEqualTo(ALL.duration());
      last = op.at();
      FaultKind k = op.op().kind();
      boolean on = active.getOrDefault(k, false);
      if (k.isInstant()) {
        assertThat(active.getOrDefault(FaultKind.KILL, false)).isFalse();
        assertThat(active.getOrDefault(FaultKind.PAUSE, false)).isFalse();
        continue;
      }
      assertThat(op.op().start()).as("%s at %s", op.op().f(), op.at()).isEqualTo(!on);
      active.put(k, !on);
      assertThat(op.finalHeal()).isEqualTo(op.at().equals(ALL.duration()));
    }
    assertThat(active.values()).doesNotContain(true);
  }

  @Test
  void usesEveryEnabledFaultOverALongRunAndOnlyThose() {
    NemesisConfig some =
        NemesisConfig.of(
            Set.of(FaultKind.KILL, FaultKind.PARTITION),
            Duration.ofSeconds(1),
            Duration.ofMinutes(5));

    NemesisSchedule s = NemesisSchedule.generate(some, NODES, 7);

    Set<FaultKind> seen = EnumSet.noneOf(FaultKind.class);
    Set<PartitionKind> shapes = EnumSet.noneOf(PartitionKind.class);
    for (ScheduledOp op : s.ops()) {
      seen.add(op.op().kind());
      if (op.op().shape() != null) {
        shapes.add(op.op().shape());
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(FaultKind.KILL, FaultKind.PARTITION);
    assertThat(shapes).isEqualTo(EnumSet.allOf(PartitionKind.class));
  }

  @Test
  void startsCarryResolvedTargetsAndGrudges() {
    for (ScheduledOp s : NemesisSchedule.generate(ALL, NODES, 3).ops()) {
      NemesisOp op = s.op();
      if (!op.start()) {
        continue;
      }
      switch (op.kind()) {
        case KILL, PAUSE -> assertThat(op.leader() || !op.nodes().isEmpty()).isTrue();
        case PARTITION -> assertThat(op.grudge()).isNotNull();
        case LOSSY_NETWORK -> assertThat(op.nodes()).isNotEmpty().hasSizeLessThan(3);
        case SLOW_NETWORK -> assertThat(op.delay()).isEqualTo(Duration.ofMillis(75));
        default -> assertThat(op.kind()).isEqualTo(FaultKind.RESTART_ALL);
      }
    }
  }

  @Test
  void leavesOutBridgesWhenThereAreFewerThanThreeNodes() {
    NemesisConfig bridgeOnly =
        NemesisConfig.of(
                Set.of(FaultKind.PARTITION, FaultKind.KILL),
                Duration.ofSeconds(1),
                Duration.ofMinutes(1))
            .withPartitions(Set.of(PartitionKind.BRIDGE));

    NemesisSchedule s = NemesisSchedule.generate(bridgeOnly, List.of("n1", "n2"), 1);

    assertThat(s.ops()).allMatch(o -> o.op().kind() == FaultKind.KILL);
  }

  @Test
  void parsesFaultListsAndRejectsUnknownNames() {
    assertThat(NemesisConfig.parseFaults("kill, pause,slow-network"))
        .containsExactlyInAnyOrder(FaultKind.KILL, FaultKind.PAUSE, FaultKind.SLOW_NETWORK);
    assertThatThrownBy(() -> NemesisConfig.parseFaults("kill,clock"))
        .hasMessageStartingWith("nemesis: [clock] (expected: some of [kill, pause");
  }

  @Test
  void rejectsBadConfigs() {
    assertThatThrownBy(
            () -> NemesisConfig.of(Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(5)))
        .hasMessage("faults: [] (expected: at least one fault kind)");
    assertThatThrownBy(
            () ->
                NemesisConfig.of(
                    Set.of(FaultKind.KILL), Duration.ofSeconds(10), Duration.ofSeconds(5)))
        .hasMessage("duration: PT5S (expected: >= interval PT10S)");
  }
}
