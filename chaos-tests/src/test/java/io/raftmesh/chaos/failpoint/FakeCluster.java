package io.raftmesh.chaos.failpoint;

import io.raftmesh.chaos.net.Grudge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Records what the nemesis asks of the cluster, and tracks what is broken, for unit tests. */
final class FakeCluster implements NodeControl, NetworkControl {
  final List<String> calls = new ArrayList<>();
  final Set<String> down = new TreeSet<>();
  final Set<String> paused = new TreeSet<>();
  final Set<String> lossy = new TreeSet<>();
  Grudge grudge = Grudge.none();
  Duration delay = Duration.ZERO;
  Optional<String> leader = Optional.empty();
  private final List<String> nodes;

  FakeCluster(List<String> nodes) {
    this.nodes = nodes;
  }

  boolean healthy() {
    return down.isEmpty()
        && paused.isEmpty()
        && lossy.isEmpty()
        && grudge.isEmpty()
        && delay.isZero();
  }

  @Override
  public List<String> nodes() {
    return nodes;
  }

  @Override
  public Optional<String> leader() {
    return leader;
  }

  @Override
  public void kill(String node) {
    calls.add("kill " + node);
    down.add(node);
    paused.remove(node);
  }

  @Override
  public void start(String node) {
    calls.add("start " + node);
    down.remove(node);
  }

  @Override
  public void pause(String node) {
    calls.add("pause " + node);
    paused.add(node);
  }

  @Override
  public void resume(String node) {
    calls.add("resume " + node);
    paused.remove(node);
  }

  @Override
  public void partition(Grudge g) {
    calls.add("partition " + g);
    grudge = g;
  }

  @Override
  public void slow(Duration d, Duration jitter) {
    calls.add("slow " + d.toMillis());
    delay = d;
  }

  @Override
  public void lossy(Collection<String> ns, double probability) {
    calls.add("lossy " + ns + " " + probability);
    if (probability > 0) {
      lossy.addAll(ns);
    } else {
      lossy.removeAll(ns);
    }
  }

  @Override
  public boolean canSlow() {
    return true;
  }
}
