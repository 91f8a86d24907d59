package io.raftmesh.server.xds;

import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The resources xDS is translated from (services, endpoints, traffic routes, destination policies),
 * by type and {@code namespace/name}, in key order so that a translation is deterministic. Other
 * types (nodes, mesh config, authorization policies) are not kept. Not thread-safe: the feed owns
 * one and hands {@link #copy copies} to the translation.
 */
final class MeshResources {
  private final Map<ResourceType, TreeMap<String, Resource>> byType =
      new EnumMap<>(ResourceType.class);

  MeshResources() {
    for (ResourceType t : kept()) {
      byType.put(t, new TreeMap<>());
    }
  }

  private static List<ResourceType> kept() {
    return List.of(
        ResourceType.SERVICE,
        ResourceType.ENDPOINT,
        ResourceType.TRAFFIC_ROUTE,
        ResourceType.DESTINATION_POLICY);
  }

  /** Whether resources of this type are translated (a change to one makes a new snapshot). */
  static boolean translated(ResourceType type) {
    return kept().contains(type);
  }

  /** Forgets everything. */
  void clear() {
    byType.values().forEach(Map::clear);
  }

  /** Stores or replaces a resource; false (and nothing kept) for a type xDS ignores. */
  boolean put(Resource r) {
    TreeMap<String, Resource> m = byType.get(r.getType());
    if (m == null) {
      return false;
    }
    m.put(r.getNamespace() + "/" + r.getName(), r);
    return true;
  }

  /** Removes a resource; false for a type xDS ignores. */
  boolean remove(ResourceKey key) {
    TreeMap<String, Resource> m = byType.get(key.getType());
    if (m == null) {
      return false;
    }
    m.remove(key.getNamespace() + "/" + key.getName());
    return true;
  }

  /** Every resource of {@code type}, in key order. */
  List<Resource> all(ResourceType type) {
    TreeMap<String, Resource> m = byType.get(type);
    return m == null ? List.of() : new ArrayList<>(m.values());
  }

  /** One resource, or null. */
  @Nullable Resource get(ResourceType type, String namespace, String name) {
    TreeMap<String, Resource> m = byType.get(type);
    return m == null ? null : m.get(namespace + "/" + name);
  }

  /** Resources of {@code type} grouped by {@code namespace/service} they belong to or target. */
  Map<String, List<Resource>> byService(ResourceType type) {
    Map<String, List<Resource>> out = new java.util.HashMap<>();
    TreeMap<String, Resource> m = byType.get(type);
    if (m == null) {
      return out;
    }
    for (Resource r : m.values()) {
      String service =
          switch (type) {
            case ENDPOINT -> r.getEndpoint().getService();
            case TRAFFIC_ROUTE -> r.getTrafficRoute().getDestination();
            case DESTINATION_POLICY -> r.getDestinationPolicy().getDestination();
            default -> r.getName();
          };
      out.computeIfAbsent(r.getNamespace() + "/" + service, k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  /** A copy sharing the (immutable) resources. */
  MeshResources copy() {
    MeshResources c = new MeshResources();
    byType.forEach((t, m) -> c.byType.computeIfAbsent(t, x -> new TreeMap<>()).putAll(m));
    return c;
  }

  /** How many resources are kept. */
  int size() {
    return byType.values().stream().mapToInt(Map::size).sum();
  }
}
