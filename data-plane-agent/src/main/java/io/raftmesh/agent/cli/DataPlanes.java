package io.raftmesh.agent.cli;

import io.raftmesh.agent.AgentOptions;
import io.raftmesh.agent.dataplane.DetachedDataPlane;
import io.raftmesh.agent.dataplane.ProxyDataPlane;

/** The data planes {@code --data-plane} can name. */
final class DataPlanes {
  /** The in-process sidecar proxy. */
  static final String DEFAULT = "proxy";

  private DataPlanes() {}

  static AgentOptions.DataPlaneFactory byName(String name) {
    return switch (name) {
      case "proxy" -> ProxyDataPlane::new;
      case "none" -> (config, trustDomain, registry) -> new DetachedDataPlane();
      default ->
          throw new UsageException("--data-plane: \"" + name + "\" (expected: proxy or none)");
    };
  }
}
