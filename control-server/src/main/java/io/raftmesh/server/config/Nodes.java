package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import java.util.Optional;

/**
 * Node resources: one per enrolled agent, {@code /node/system/<name>}, written by the control
 * servers only (enrollment, renewal, acknowledgements and liveness).
 */
public final class Nodes {
  private Nodes() {}

  /** The resource key of node {@code name}. */
  public static ResourceKey resourceKey(String name) {
    return ResourceKey.newBuilder()
        .setType(ResourceType.NODE)
        .setNamespace(ResourceValidator.SYSTEM_NAMESPACE)
        .setName(name)
        .build();
  }

  /** The store key of node {@code name}. */
  public static ByteString key(String name) {
    return ByteString.copyFrom(ResourceKeys.storeKey(resourceKey(name)));
  }

  /** The prefix of every node key. */
  public static ByteString prefix() {
    return ByteString.copyFrom(ResourceKeys.prefix(ResourceKind.NODE));
  }

  /** The resource for node {@code name} with {@code spec}. */
  public static Resource resource(String name, NodeSpec spec) {
    return Resource.newBuilder()
        .setType(ResourceType.NODE)
        .setNamespace(ResourceValidator.SYSTEM_NAMESPACE)
        .setName(name)
        .setNode(spec)
        .build();
  }

  /** The value stored for node {@code name}. */
  public static ByteString value(String name, NodeSpec spec) {
    return StoredResources.value(resource(name, spec));
  }

  /** The node spec held by a store entry, if it is a node. */
  public static Optional<NodeSpec> spec(KeyValue kv) {
    return StoredResources.decode(kv).filter(Resource::hasNode).map(Resource::getNode);
  }
}
