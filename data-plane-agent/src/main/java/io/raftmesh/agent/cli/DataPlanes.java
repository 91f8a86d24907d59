package io.raftmesh.agent.cli;

import io.raftmesh.agent.AgentOptions;
import io.raftmesh.agent.dataplane.DetachedDataPlane;

/** The data planes {@code --data-plane} can name. */
final class DataPlanes {
  /** The default until the sidecar proxy is bound in (see the module README). */
  static final String DEFAULT = "none";

  private DataPlanes() {}

  static AgentOptions.DataPlaneFactory byName(String name) {
    return switch (name) {
      case "none" -> (config, trustDomain, registry) -> new DetachedDataPlane();
      default -> throw new UsageException("--data-plane: \"" + name + "\" (expected: none)");
    };
  }
}
