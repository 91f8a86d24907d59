package io.raftmesh.agent.subscribe;

import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import java.util.Locale;

/** The store key of a resource, {@code /<type>/<namespace>/<name>} (see resource.proto). */
public final class ResourceKeys {
  private ResourceKeys() {}

  /** The key segment of {@code type}: {@code MESH_CONFIG} is {@code mesh-config}. */
  public static String segment(ResourceType type) {
    return type.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The key of {@code resource}. */
  public static String of(Resource resource) {
    return of(resource.getType(), resource.getNamespace(), resource.getName());
  }

  /** The key of {@code key}. */
  public static String of(ResourceKey key) {
    return of(key.getType(), key.getNamespace(), key.getName());
  }

  /** The key of a resource of {@code type} named {@code namespace/name}. */
  public static String of(ResourceType type, String namespace, String name) {
    return "/" + segment(type) + "/" + namespace + "/" + name;
  }
}
