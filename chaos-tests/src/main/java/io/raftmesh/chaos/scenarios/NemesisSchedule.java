package io.raftmesh.chaos.scenarios;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.NemesisOp;
import io.raftmesh.chaos.failpoint.PartitionKind;
import io.raftmesh.chaos.failpoint.Targets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded, replayable timeline of fault starts and stops, built like Jepsen's combined nemesis
 * package: every interval one enabled fault kind is picked at random; if it is active it is
 * stopped, otherwise it is started with random targets. The schedule ends with a final heal that
 * stops every active fault. A restart of all nodes is only scheduled while no node is killed or
 * paused.
 *
 * <p>The same config, nodes and seed always give the same schedule.
 */
public final class NemesisSchedule {
  private static final List<FaultKind> HEAL_ORDER =
      List.of(
          FaultKind.PARTITION,
          FaultKind.LOSSY_NETWORK,
          FaultKind.SLOW_NETWORK,
          FaultKind.PAUSE,
          FaultKind.KILL);

  private final long seed;
  private final List<ScheduledOp> ops;

  private NemesisSchedule(long seed, List<ScheduledOp> ops) {
    this.seed = seed;
    this.ops = List.copyOf(ops);
  }

  /** A schedule from explicit operations (hand-written scenarios). */
  public static NemesisSchedule of(long seed, List<ScheduledOp> ops) {
    return new NemesisSchedule(seed, ops);
  }

  /** Generates the schedule for {@code nodes} from {@code seed}. */
  public static NemesisSchedule generate(NemesisConfig config, List<String> nodes, long seed) {
    requireNonNull(config, "config");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("nodes: [] (expected: at least one node)");
    }
    Random random = new Random(seed);
    List<PartitionKind> shapes = new ArrayList<>();
    for (PartitionKind p : PartitionKind.values()) {
      if (config.partitions().contains(p) && (p != PartitionKind.BRIDGE || nodes.size() >= 3)) {
        shapes.add(p);
      }
    }
    List<FaultKind> kinds = new ArrayList<>();
    for (FaultKind k : FaultKind.values()) {
      if (config.faults().contains(k) && (k != FaultKind.PARTITION || !shapes.isEmpty())) {
        kinds.add(k);
      }
    }
    Set<FaultKind> active = EnumSet.noneOf(FaultKind.class);
    List<ScheduledOp> out = new ArrayList<>();
    for (Duration t = config.interval();
        t.compareTo(config.duration()) < 0;
        t = t.plus(config.interval())) {
      List<FaultKind> eligible = new ArrayList<>();
      for (FaultKind k : kinds) {
        boolean blocked =
            k == FaultKind.RESTART_ALL
                && (active.contains(FaultKind.KILL) || active.contains(FaultKind.PAUSE));
        if (!blocked) {
          eligible.add(k);
        }
      }
      if (eligible.isEmpty()) {
        continue;
      }
      FaultKind k = eligible.get(random.nextInt(eligible.size()));
      if (active.remove(k)) {
        out.add(new ScheduledOp(t, NemesisOp.stop(k), false));
        continue;
      }
      out.add(new ScheduledOp(t, start(k, config, nodes, shapes, random), false));
      if (!k.isInstant()) {
        active.add(k);
      }
    }
    for (FaultKind k : HEAL_ORDER) {
      if (active.contains(k)) {
        out.add(new ScheduledOp(config.duration(), NemesisOp.stop(k), true));
      }
    }
    return new NemesisSchedule(seed, out);
  }

  private static NemesisOp start(
      FaultKind k,
      NemesisConfig config,
      List<String> nodes,
      List<PartitionKind> shapes,
      Random random) {
    return switch (k) {
      case KILL, PAUSE -> {
        Targets t = config.targets().get(random.nextInt(config.targets().size()));
        if (t == Targets.LEADER) {
          yield k == FaultKind.KILL ? NemesisOp.killLeader() : NemesisOp.pauseLeader();
        }
        List<String> picked = t.pick(nodes, random);
        yield k == FaultKind.KILL ? NemesisOp.kill(picked) : NemesisOp.pause(picked);
      }
      case PARTITION -> {
        PartitionKind shape = shapes.get(random.nextInt(shapes.size()));
        yield NemesisOp.partition(shape.grudge(nodes, random), shape);
      }
      case SLOW_NETWORK -> NemesisOp.slow(config.slowDelay(), config.slowJitter());
      case LOSSY_NETWORK ->
          NemesisOp.lossy(Targets.MINORITY.pick(nodes, random), config.lossProbability());
      case RESTART_ALL -> NemesisOp.restartAll();
    };
  }

  /** The seed it was generated from (log it: it replays the run's faults). */
  public long seed() {
    return seed;
  }

  /** Every operation in time order, final heal last. */
  public List<ScheduledOp> ops() {
    return ops;
  }
}
