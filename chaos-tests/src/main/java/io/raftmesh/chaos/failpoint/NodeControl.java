package io.raftmesh.chaos.failpoint;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What the nemesis needs from a cluster's processes. Implementations: {@link SupervisedNodes}
 * (local processes); a container backend would use the Docker API.
 *
 * <p>Invariants: {@code kill} returns once the node has stopped; {@code start} starts a stopped
 * node on its existing data; {@code pause}/{@code resume} leave the process alive.
 */
public interface NodeControl {
  /** Every node's name. */
  List<String> nodes();

  /** The current leader, if the cluster can tell. */
  Optional<String> leader();

  /** SIGKILL. */
  void kill(String node) throws IOException;

  /** Starts a killed node again. */
  void start(String node) throws IOException;

  /** SIGSTOP. */
  void pause(String node) throws IOException;

  /** SIGCONT. */
  void resume(String node) throws IOException;
}
