package io.raftmesh.server.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Every xDS resource at one store revision. Each resource carries the revision at which it last
 * changed, and each type the revision at which any of its resources last changed (or one was
 * removed): that is the type's {@code version_info}, so a client is sent a type again only when
 * something in it changed, and versions are store revisions, comparable across control servers.
 *
 * @param revision the store revision this snapshot reflects
 * @param types per type URL: its resources and version
 */
record XdsSnapshot(long revision, Map<String, TypeResources> types) {

  /** The four types served, in the order a client needs them. */
  static final List<String> TYPE_URLS =
      List.of(
          Resources.V3.LISTENER_TYPE_URL,
          Resources.V3.ROUTE_TYPE_URL,
          Resources.V3.CLUSTER_TYPE_URL,
          Resources.V3.ENDPOINT_TYPE_URL);

  /** Nothing yet (revision 0): no client is answered before the first real snapshot. */
  static final XdsSnapshot EMPTY = new XdsSnapshot(0, emptyTypes());

  /** One resource and the revision at which it last changed. */
  record Versioned(Message resource, long version) {}

  /** The resources of one type and the type's version. */
  record TypeResources(long version, Map<String, Versioned> resources) {
    TypeResources {
      resources = Collections.unmodifiableMap(resources);
    }
  }

  XdsSnapshot {
    types = Map.copyOf(types);
  }

  private static Map<String, TypeResources> emptyTypes() {
    Map<String, TypeResources> m = new HashMap<>();
    for (String t : TYPE_URLS) {
      m.put(t, new TypeResources(0, Map.of()));
    }
    return m;
  }

  /** The version of {@code typeUrl} (0 for a type not served). */
  long version(String typeUrl) {
    TypeResources t = types.get(typeUrl);
    return t == null ? 0 : t.version();
  }

  /** The resources of {@code typeUrl} (empty for a type not served). */
  Map<String, Versioned> resources(String typeUrl) {
    TypeResources t = types.get(typeUrl);
    return t == null ? Map.of() : t.resources();
  }

  /** One resource, or null. */
  @Nullable Versioned get(String typeUrl, String name) {
    return resources(typeUrl).get(name);
  }

  /** How many resources in all. */
  int size() {
    return types.values().stream().mapToInt(t -> t.resources().size()).sum();
  }

  /**
   * The snapshot at {@code revision} of the translated resources {@code next}, keeping the versions
   * of resources unchanged since {@code previous}.
   */
  static XdsSnapshot next(
      XdsSnapshot previous, long revision, Map<String, Map<String, ? extends Message>> next) {
    Map<String, TypeResources> types = new HashMap<>();
    for (String typeUrl : TYPE_URLS) {
      Map<String, Versioned> before = previous.resources(typeUrl);
      Map<String, ? extends Message> now = next.getOrDefault(typeUrl, Map.of());
      Map<String, Versioned> out = new TreeMap<>();
      long typeVersion = previous.version(typeUrl);
      for (Map.Entry<String, ? extends Message> e : now.entrySet()) {
        Versioned old = before.get(e.getKey());
        if (old != null && old.resource().equals(e.getValue())) {
          out.put(e.getKey(), old);
        } else {
          out.put(e.getKey(), new Versioned(e.getValue(), revision));
          typeVersion = revision;
        }
      }
      if (!now.keySet().containsAll(before.keySet())) {
        typeVersion = revision; // something was removed
      }
      types.put(typeUrl, new TypeResources(typeVersion, out));
    }
    return new XdsSnapshot(revision, types);
  }
}
