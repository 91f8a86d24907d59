package io.raftmesh.chaos.scenarios;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.PartitionKind;
import io.raftmesh.chaos.failpoint.Targets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the nemesis may do and how often (Jepsen's nemesis package options).
 *
 * @param faults the fault kinds to schedule
 * @param interval time between two nemesis operations (Jepsen's default is 10 s)
 * @param duration when the schedule ends with a final heal
 * @param targets how kill and pause pick nodes
 * @param partitions the partition shapes to use
 * @param slowDelay the delay of a slow network (etcd uses 75 ms)
 * @param slowJitter its jitter (etcd uses 50 ms)
 * @param lossProbability the share of packets a lossy node drops
 */
public record NemesisConfig(
    Set<FaultKind> faults,
    Duration interval,
    Duration duration,
    List<Targets> targets,
    Set<PartitionKind> partitions,
    Duration slowDelay,
    Duration slowJitter,
    double lossProbability) {

  /** Validates every option. */
  public NemesisConfig {
    requireNonNull(interval, "interval");
    requireNonNull(duration, "duration");
    requireNonNull(slowDelay, "slowDelay");
    requireNonNull(slowJitter, "slowJitter");
    faults = faults.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(faults));
    targets = List.copyOf(targets);
    partitions = partitions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(partitions));
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("faults: [] (expected: at least one fault kind)");
    }
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    if (duration.compareTo(interval) < 0) {
      throw new IllegalArgumentException(
          "duration: " + duration + " (expected: >= interval " + interval + ")");
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: [] (expected: at least one way to pick nodes)");
    }
    if (faults.contains(FaultKind.PARTITION) && partitions.isEmpty()) {
      throw new IllegalArgumentException("partitions: [] (expected: a shape when partitioning)");
    }
    if (!(lossProbability > 0 && lossProbability <= 1)) {
      throw new IllegalArgumentException(
          "lossProbability: " + lossProbability + " (expected: 0 < p <= 1)");
    }
  }

  /**
   * These faults every {@code interval} for {@code duration}, with defaults: kill and pause hit one
   * node or a minority, every partition shape, 75±50 ms slow network, 20% loss.
   */
  public static NemesisConfig of(Set<FaultKind> faults, Duration interval, Duration duration) {
    return new NemesisConfig(
        faults,
        interval,
        duration,
        List.of(Targets.ONE, Targets.MINORITY),
        EnumSet.allOf(PartitionKind.class),
        Duration.ofMillis(75),
        Duration.ofMillis(50),
        0.2);
  }

  /** This config with other targets (e.g. add {@link Targets#LEADER}). */
  public NemesisConfig withTargets(List<Targets> newTargets) {
    return new NemesisConfig(
        faults, interval, duration, newTargets, partitions, slowDelay, slowJitter, lossProbability);
  }

  /** This config with other partition shapes. */
  public NemesisConfig withPartitions(Set<PartitionKind> newPartitions) {
    return new NemesisConfig(
        faults, interval, duration, targets, newPartitions, slowDelay, slowJitter, lossProbability);
  }

  /**
   * Parses a comma-separated fault list as given to {@code ops/chaos.sh --nemesis}, e.g. {@code
   * kill,pause,partition,slow-network}.
   */
  public static Set<FaultKind> parseFaults(String list) {
    List<String> unknown = new ArrayList<>();
    Set<FaultKind> out = EnumSet.noneOf(FaultKind.class);
    for (String item : list.split(",", -1)) {
      String s = item.trim().toLowerCase(Locale.ROOT);
      if (s.isEmpty()) {
        continue;
      }
      FaultKind match = null;
      for (FaultKind k : FaultKind.values()) {
        if (k.label().equals(s)) {
          match = k;
        }
      }
      if (match == null) {
        unknown.add(s);
      } else {
        out.add(match);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> known = new ArrayList<>();
      for (FaultKind k : FaultKind.values()) {
        known.add(k.label());
      }
      throw new IllegalArgumentException(
          "nemesis: " + unknown + " (expected: some of " + known + ")");
    }
    return out;
  }
}
