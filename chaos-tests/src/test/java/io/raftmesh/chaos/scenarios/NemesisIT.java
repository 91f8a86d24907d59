package io.raftmesh.chaos.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.raftmesh.chaos.failpoint.ClusterNemesis;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.HarnessNetwork;
import io.raftmesh.chaos.failpoint.Nemesis;
import io.raftmesh.chaos.failpoint.NemesisOp;
import io.raftmesh.chaos.failpoint.SupervisedNodes;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.history.Operation;
import io.raftmesh.chaos.net.FaultBridge;
import io.raftmesh.chaos.net.LinkFaults;
import io.raftmesh.chaos.net.NamespaceHost;
import io.raftmesh.chaos.net.NamespaceNetwork;
import io.raftmesh.chaos.process.ProcessSpec;
import io.raftmesh.chaos.process.ProcessSupervisor;
import io.raftmesh.chaos.process.Signals;
import io.raftmesh.chaos.process.SupervisedProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plays a seeded schedule of every fault kind against real processes in real namespaces (the
 * "nodes" are sleep processes: the server does not exist yet) and checks after each operation that
 * the fault really is in place, and at the end that nothing is left broken.
 */
@Timeout(120)
class NemesisIT {
  private static final List<String> NODES = List.of("n1", "n2", "n3");

  @TempDir Path dir;

  @Test
  void everyFaultTakesEffectAndTheFinalHealLeavesAHealthyCluster() throws Exception {
    Optional<String> why = NamespaceHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "network namespaces unavailable, skipping: " + why.orElse(""));
    List<String> violations = new ArrayList<>();
    try (ProcessSupervisor sup = new ProcessSupervisor(Duration.ofSeconds(2));
        NamespaceNetwork net =
            NamespaceNetwork.create(new NamespaceNetwork.Config("rmtest", NODES, "10.99.0", null));
        FaultBridge peer =
            FaultBridge.start(
                "n1->n2",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))) {
      Map<String, SupervisedProcess> procs = new LinkedHashMap<>();
      for (String n : NODES) {
        procs.put(
            n,
            sup.start(
                ProcessSpec.of(n, List.of("sleep", "600"), dir.resolve(n + ".log"))
                    .wrappedBy(net.execPrefix(n))));
      }
      SupervisedNodes nodes = new SupervisedNodes(sup, procs, () -> Optional.of("n2"));
      ClusterNemesis real =
          new ClusterNemesis(nodes, new HarnessNetwork(net, List.of(peer)), new Random(3));
      Nemesis checked = new Verifying(real, nodes, net, peer, violations);
      NemesisConfig config =
          NemesisConfig.of(
              EnumSet.allOf(FaultKind.class), Duration.ofMillis(150), Duration.ofSeconds(4));
      NemesisSchedule schedule = firstScheduleWithEveryFault(config);
      HistoryRecorder recorder = HistoryRecorder.inMemory();

      NemesisRunner runner = new NemesisRunner(schedule, checked, recorder);
      runner.start();
      assertThat(runner.awaitDone(Duration.ofSeconds(60))).isTrue();

      assertThat(violations).isEmpty();
      assertThat(runner.failures()).isZero();
      List<Operation> ops = recorder.history().nemesisOperations();
      assertThat(ops).hasSize(schedule.ops().size() + 1);
      assertThat(ops.get(ops.size() - 1).f()).isEqualTo("heal-all");
      for (String n : NODES) {
        SupervisedProcess p = nodes.process(n);
        assertThat(p.isAlive()).as(n).isTrue();
        assertThat(Signals.state(p.pid())).as(n).isIn('S', 'R');
        assertThat(net.rules(n)).as(n).doesNotContain("saddr").doesNotContain("numgen");
      }
      assertThat(net.grudge().isEmpty()).isTrue();
      assertThat(peer.faults()).isEqualTo(LinkFaults.pass());
    }
  }

  /** The schedule of the lowest seed that uses every fault kind (deterministic). */
  private static NemesisSchedule firstScheduleWithEveryFault(NemesisConfig config) {
    for (long seed = 1; seed < 1_000; seed++) {
      NemesisSchedule s = NemesisSchedule.generate(config, NODES, seed);
      Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
      s.ops().forEach(o -> kinds.add(o.op().kind()));
      if (kinds.equals(EnumSet.allOf(FaultKind.class))) {
        return s;
      }
    }
    throw new AssertionError("no seed below 1000 schedules every fault kind");
  }

  /** Applies each operation, then checks on the real system that it took effect. */
  private record Verifying(
      Nemesis inner,
      SupervisedNodes nodes,
      NamespaceNetwork net,
      FaultBridge peer,
      List<String> violations)
      implements Nemesis {

    @Override
    public JsonNode apply(NemesisOp op) throws IOException {
      Map<String, Long> pidsBefore = new LinkedHashMap<>();
      for (String n : NODES) {
        pidsBefore.put(n, nodes.process(n).pid());
      }
      JsonNode r = inner.apply(op);
      String what = op.f() + " " + r;
      switch (op.kind()) {
        case KILL -> {
          for (JsonNode n : op.start() ? r.get("killed") : r.get("started")) {
            SupervisedProcess p = nodes.process(n.asText());
            if (op.start() && p.isAlive()) {
              violations.add(what + ": " + n + " still alive");
            }
            if (!op.start()
                && (!p.isAlive() || p.pid() == pidsBefore.getOrDefault(n.asText(), -1L))) {
              violations.add(what + ": " + n + " not restarted");
            }
          }
        }
        case PAUSE -> {
          for (JsonNode n : op.start() ? r.get("paused") : r.get("resumed")) {
            char state = awaitState(nodes.process(n.asText()).pid(), op.start() ? "T" : "SR");
            if (op.start() != (state == 'T')) {
              violations.add(what + ": " + n + " in state " + state);
            }
          }
        }
        case PARTITION -> {
          if (op.start()) {
            for (Map.Entry<String, Set<String>> e :
                java.util.Objects.requireNonNull(op.grudge()).asMap().entrySet()) {
              String rules = net.rules(e.getKey());
              for (String from : e.getValue()) {
                if (!rules.contains(net.address(from))) {
                  violations.add(what + ": " + e.getKey() + " does not drop " + from);
                }
              }
            }
          } else if (!net.grudge().isEmpty()) {
            violations.add(what + ": partition still in force");
          }
        }
        case LOSSY_NETWORK -> {
          for (String n : NODES) {
            boolean lossy = net.rules(n).contains("numgen");
            boolean expected = op.start() && op.nodes().contains(n);
            if (op.start() ? expected && !lossy : lossy) {
              violations.add(what + ": loss rule on " + n + " is " + lossy);
            }
          }
        }
        case SLOW_NETWORK -> {
          if (peer.faults().delay().isZero() == op.start()) {
            violations.add(what + ": bridge faults " + peer.faults());
          }
        }
        case RESTART_ALL -> {
          for (String n : NODES) {
            SupervisedProcess p = nodes.process(n);
            if (!p.isAlive() || p.pid() == pidsBefore.getOrDefault(n, -1L)) {
              violations.add(what + ": " + n + " not restarted");
            }
          }
        }
        default -> violations.add("unexpected " + what);
      }
      return r;
    }

    @Override
    public JsonNode healAll() throws IOException {
      return inner.healAll();
    }

    private static char awaitState(long pid, String states) throws IOException {
      char s = Signals.state(pid);
      for (int i = 0; i < 100 && states.indexOf(s) < 0; i++) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        s = Signals.state(pid);
      }
      return s;
    }
  }
}
