package io.raftmesh.chaos.failpoint;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftmesh.chaos.history.Values;
import io.raftmesh.chaos.net.Grudge;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The nemesis over a {@link NodeControl} and a {@link NetworkControl}. It remembers which nodes it
 * killed, paused or made lossy, so a stop heals exactly those, and {@link #healAll()} leaves a
 * clean cluster.
 */
public final class ClusterNemesis implements Nemesis {
  private final NodeControl nodes;
  private final NetworkControl network;
  private final Random random;
  private final Set<String> killed = new TreeSet<>();
  private final Set<String> paused = new TreeSet<>();
  private final Set<String> lossy = new TreeSet<>();
  private boolean partitioned;
  private boolean slowed;

  /**
   * A nemesis over these controls; {@code random} picks a node when a leader-targeted fault finds
   * no leader.
   */
  public ClusterNemesis(NodeControl nodes, NetworkControl network, Random random) {
    this.nodes = requireNonNull(nodes, "nodes");
    this.network = requireNonNull(network, "network");
    this.random = requireNonNull(random, "random");
  }

  @Override
  public synchronized JsonNode apply(NemesisOp op) throws IOException {
    requireNonNull(op, "op");
    ObjectNode out = Values.object();
    switch (op.kind()) {
      case KILL -> kill(op, out);
      case PAUSE -> pause(op, out);
      case PARTITION -> {
        network.partition(op.start() ? requireNonNull(op.grudge(), "grudge") : Grudge.none());
        partitioned = op.start();
        out.put("partitioned", op.start());
      }
      case SLOW_NETWORK -> {
        network.slow(
            op.start() ? op.delay() : Duration.ZERO, op.start() ? op.jitter() : Duration.ZERO);
        slowed = op.start();
        out.put("slowed", op.start());
      }
      case LOSSY_NETWORK -> {
        if (op.start()) {
          network.lossy(op.nodes(), op.probability());
          lossy.addAll(op.nodes());
          list(out, "lossy", op.nodes());
        } else {
          list(out, "cleared", clearLoss());
        }
      }
      case RESTART_ALL -> restartAll(out);
    }
    return out;
  }

  private void kill(NemesisOp op, ObjectNode out) throws IOException {
    if (!op.start()) {
      list(out, "started", startKilled());
      return;
    }
    List<String> targets = targets(op, out);
    for (String n : targets) {
      if (killed.add(n)) {
        paused.remove(n); // SIGKILL also ends a stopped process
        nodes.kill(n);
      }
    }
    list(out, "killed", targets);
  }

  private void pause(NemesisOp op, ObjectNode out) throws IOException {
    if (!op.start()) {
      list(out, "resumed", resumePaused());
      return;
    }
    List<String> done = new ArrayList<>();
    for (String n : targets(op, out)) {
      if (!killed.contains(n) && paused.add(n)) {
        nodes.pause(n);
        done.add(n);
      }
    }
    list(out, "paused", done);
  }

  private void restartAll(ObjectNode out) throws IOException {
    List<String> all = nodes.nodes();
    resumePaused();
    for (String n : all) {
      if (!killed.contains(n)) {
        nodes.kill(n);
      }
    }
    killed.clear();
    for (String n : all) {
      nodes.start(n);
    }
    list(out, "restarted", all);
  }

  private List<String> targets(NemesisOp op, ObjectNode out) {
    if (!op.leader()) {
      return op.nodes();
    }
    String leader = nodes.leader().orElse(null);
    if (leader == null) {
      List<String> all = nodes.nodes();
      leader = all.get(random.nextInt(all.size()));
      out.put("note", "no leader known; picked a random node");
    }
    out.put("leader", leader);
    return List.of(leader);
  }

  private List<String> startKilled() throws IOException {
    List<String> started = new ArrayList<>(killed);
    for (String n : started) {
      nodes.start(n);
    }
    killed.clear();
    return started;
  }

  private List<String> resumePaused() throws IOException {
    List<String> resumed = new ArrayList<>(paused);
    for (String n : resumed) {
      nodes.resume(n);
    }
    paused.clear();
    return resumed;
  }

  private List<String> clearLoss() throws IOException {
    List<String> cleared = new ArrayList<>(lossy);
    if (!cleared.isEmpty()) {
      network.lossy(cleared, 0);
    }
    lossy.clear();
    return cleared;
  }

  @Override
  public synchronized JsonNode healAll() throws IOException {
    ObjectNode out = Values.object();
    if (partitioned) {
      network.partition(Grudge.none());
      partitioned = false;
    }
    if (slowed) {
      network.slow(Duration.ZERO, Duration.ZERO);
      slowed = false;
    }
    list(out, "cleared", clearLoss());
    list(out, "resumed", resumePaused());
    list(out, "started", startKilled());
    return out;
  }

  private static void list(ObjectNode out, String field, Collection<String> items) {
    ArrayNode a = out.putArray(field);
    items.forEach(a::add);
  }
}
