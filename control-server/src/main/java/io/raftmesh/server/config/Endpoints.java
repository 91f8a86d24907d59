package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;

/**
 * Endpoint resources: one per service instance on a node, in the service's namespace, named {@code
 * <service>.<node>} (node names are DNS labels, so the name is unique per node and service).
 */
public final class Endpoints {
  private Endpoints() {}

  /** The resource name of {@code service}'s endpoint on {@code node}. */
  public static String name(String service, String node) {
    return service + "." + node;
  }

  /** The resource key of {@code namespace/service}'s endpoint on {@code node}. */
  public static ResourceKey resourceKey(String namespace, String service, String node) {
    return ResourceKey.newBuilder()
        .setType(ResourceType.ENDPOINT)
        .setNamespace(namespace)
        .setName(name(service, node))
        .build();
  }

  /** The store key of {@code namespace/service}'s endpoint on {@code node}. */
  public static ByteString key(String namespace, String service, String node) {
    return ByteString.copyFrom(ResourceKeys.storeKey(resourceKey(namespace, service, node)));
  }

  /** The prefix of every endpoint key. */
  public static ByteString prefix() {
    return ByteString.copyFrom(ResourceKeys.prefix(ResourceKind.ENDPOINT));
  }
}
