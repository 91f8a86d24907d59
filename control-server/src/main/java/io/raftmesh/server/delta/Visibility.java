package io.raftmesh.server.delta;

import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which resources a subscriber receives: the types it asked for (all when none), never Node
 * resources (agents do not need other nodes' bookkeeping, and acknowledgements and liveness updates
 * would otherwise make every agent receive every other agent's acknowledgements).
 */
final class Visibility {
  private Visibility() {}

  static Predicate<ResourceKey> forTypes(List<ResourceType> types) {
    Set<ResourceType> wanted = EnumSet.noneOf(ResourceType.class);
    for (ResourceType t : types) {
      if (t == ResourceType.RESOURCE_TYPE_UNSPECIFIED || t == ResourceType.UNRECOGNIZED) {
        throw new IllegalArgumentException(
            "start.types: " + t + " (expected: resource types, or none for all)");
      }
      if (t == ResourceType.NODE) {
        throw new IllegalArgumentException(
            "start.types: NODE (expected: a type agents receive; nodes are not streamed)");
      }
      wanted.add(t);
    }
    if (wanted.isEmpty()) {
      return k -> k.getType() != ResourceType.NODE;
    }
    return k -> wanted.contains(k.getType());
  }
}
