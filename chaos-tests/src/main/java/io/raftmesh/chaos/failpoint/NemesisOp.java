package io.raftmesh.chaos.failpoint;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftmesh.chaos.history.Values;
import io.raftmesh.chaos.net.Grudge;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One nemesis operation: start or stop one fault. Starting carries everything the seeded schedule
 * chose (targets, grudge, delay, loss), so a run replays from its seed; stopping heals every
 * instance of its kind, as Jepsen's nemeses do.
 *
 * @param start true to inject, false to heal
 * @param kind the fault
 * @param nodes the nodes a kill, pause or loss hits (empty: resolved at run time, see {@code
 *     leader})
 * @param leader whether the target is whoever leads when the fault starts
 * @param grudge the partition to apply, for {@link FaultKind#PARTITION} starts
 * @param shape the partition's shape, for logs
 * @param delay the added latency, for {@link FaultKind#SLOW_NETWORK} starts
 * @param jitter the latency's variation
 * @param probability the share of packets dropped, for {@link FaultKind#LOSSY_NETWORK} starts
 */
public record NemesisOp(
    boolean start,
    FaultKind kind,
    List<String> nodes,
    boolean leader,
    @Nullable Grudge grudge,
    @Nullable PartitionKind shape,
    Duration delay,
    Duration jitter,
    double probability) {

  /** Copies lists and checks that a start carries what its kind needs. */
  public NemesisOp {
    requireNonNull(kind, "kind");
    requireNonNull(delay, "delay");
    requireNonNull(jitter, "jitter");
    nodes = List.copyOf(nodes);
    if (start && kind == FaultKind.PARTITION && grudge == null) {
      throw new IllegalArgumentException("grudge: null (expected: a grudge to start a partition)");
    }
    if (start && kind == FaultKind.LOSSY_NETWORK && !(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability: " + probability + " (expected: 0 < p <= 1)");
    }
    if (!start && kind.isInstant()) {
      throw new IllegalArgumentException(
          "kind: " + kind + " (expected: a fault that can be stopped)");
    }
  }

  /** Starts killing {@code nodes}. */
  public static NemesisOp kill(List<String> nodes) {
    return new NemesisOp(
        true, FaultKind.KILL, nodes, false, null, null, Duration.ZERO, Duration.ZERO, 0);
  }

  /** Starts killing the leader. */
  public static NemesisOp killLeader() {
    return new NemesisOp(
        true, FaultKind.KILL, List.of(), true, null, null, Duration.ZERO, Duration.ZERO, 0);
  }

  /** Starts pausing {@code nodes}. */
  public static NemesisOp pause(List<String> nodes) {
    return new NemesisOp(
        true, FaultKind.PAUSE, nodes, false, null, null, Duration.ZERO, Duration.ZERO, 0);
  }

  /** Starts pausing the leader. */
  public static NemesisOp pauseLeader() {
    return new NemesisOp(
        true, FaultKind.PAUSE, List.of(), true, null, null, Duration.ZERO, Duration.ZERO, 0);
  }

  /** Starts a partition. */
  public static NemesisOp partition(Grudge grudge, @Nullable PartitionKind shape) {
    return new NemesisOp(
        true,
        FaultKind.PARTITION,
        List.of(),
        false,
        grudge,
        shape,
        Duration.ZERO,
        Duration.ZERO,
        0);
  }

  /** Starts slowing the network. */
  public static NemesisOp slow(Duration delay, Duration jitter) {
    return new NemesisOp(
        true, FaultKind.SLOW_NETWORK, List.of(), false, null, null, delay, jitter, 0);
  }

  /** Starts dropping packets at {@code nodes}. */
  public static NemesisOp lossy(List<String> nodes, double probability) {
    return new NemesisOp(
        true,
        FaultKind.LOSSY_NETWORK,
        nodes,
        false,
        null,
        null,
        Duration.ZERO,
        Duration.ZERO,
        probability);
  }

  /** Kills and restarts every node. */
  public static NemesisOp restartAll() {
    return new NemesisOp(
        true, FaultKind.RESTART_ALL, List.of(), false, null, null, Duration.ZERO, Duration.ZERO, 0);
  }

  /** Heals every instance of {@code kind}. */
  public static NemesisOp stop(FaultKind kind) {
    return new NemesisOp(
        false, kind, List.of(), false, null, null, Duration.ZERO, Duration.ZERO, 0);
  }

  /** The history function: {@code start-partition}, {@code stop-kill}... */
  public String f() {
    return (start ? "start-" : "stop-") + kind.label();
  }

  /** The operation as a JSON value for the history (only the fields that matter). */
  public ObjectNode toJson() {
    ObjectNode o = Values.object();
    if (!nodes.isEmpty()) {
      ArrayNode a = o.putArray("nodes");
      nodes.forEach(a::add);
    }
    if (leader) {
      o.put("leader", true);
    }
    if (grudge != null) {
      ObjectNode g = o.putObject("grudge");
      for (Map.Entry<String, Set<String>> e : grudge.asMap().entrySet()) {
        ArrayNode a = g.putArray(e.getKey());
        e.getValue().forEach(a::add);
      }
    }
    if (shape != null) {
      o.put("shape", shape.label());
    }
    if (!delay.isZero() || !jitter.isZero()) {
      o.put("delayMs", delay.toMillis());
      o.put("jitterMs", jitter.toMillis());
    }
    if (probability > 0) {
      o.put("probability", probability);
    }
    return o;
  }

  @Override
  public String toString() {
    return f() + " " + toJson();
  }
}
