package io.raftmesh.chaos.failpoint;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.process.ProcessSupervisor;
import io.raftmesh.chaos.process.SupervisedProcess;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** {@link NodeControl} over local processes started by a {@link ProcessSupervisor}. */
public final class SupervisedNodes implements NodeControl {
  private final ProcessSupervisor supervisor;
  private final Map<String, SupervisedProcess> current;
  private final Supplier<Optional<String>> leader;

  /**
   * Controls these processes; {@code leader} asks the cluster who leads (empty if unknown).
   *
   * @param processes node name to its running process
   */
  public SupervisedNodes(
      ProcessSupervisor supervisor,
      Map<String, SupervisedProcess> processes,
      Supplier<Optional<String>> leader) {
    this.supervisor = requireNonNull(supervisor, "supervisor");
    this.current = new LinkedHashMap<>(processes);
    this.leader = requireNonNull(leader, "leader");
  }

  @Override
  public List<String> nodes() {
    return List.copyOf(current.keySet());
  }

  @Override
  public Optional<String> leader() {
    return leader.get();
  }

  /** The node's current process (a new one after each restart). */
  public synchronized SupervisedProcess process(String node) {
    SupervisedProcess p = current.get(node);
    if (p == null) {
      throw new IllegalArgumentException(
          "node: " + node + " (expected: one of " + current.keySet() + ")");
    }
    return p;
  }

  @Override
  public void kill(String node) throws IOException {
    process(node).kill();
  }

  @Override
  public synchronized void start(String node) throws IOException {
    SupervisedProcess old = process(node);
    if (old.isAlive()) {
      return;
    }
    current.put(node, supervisor.restart(old));
  }

  @Override
  public void pause(String node) throws IOException {
    process(node).pause();
  }

  @Override
  public void resume(String node) throws IOException {
    process(node).resume();
  }
}
