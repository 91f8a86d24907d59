package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import java.util.Optional;

/**
 * How resources are kept in the store: the value is the serialized {@link Resource} without its
 * revisions (the store owns those), so the same resource always has the same bytes and an unchanged
 * resource can be recognised and skipped.
 */
public final class StoredResources {

  private StoredResources() {}

  /** The value stored for a resource: its bytes with meta revisions cleared. */
  public static ByteString value(Resource r) {
    ResourceMeta meta =
        r.getMeta().toBuilder().clearCreateRevision().clearModRevision().clearVersion().build();
    return r.toBuilder().setMeta(meta).build().toByteString();
  }

  /**
   * The resource held by a store entry, with its meta revisions taken from the entry; empty when
   * the value is not a resource (which would be a bug in whoever wrote it).
   */
  public static Optional<Resource> decode(KeyValue kv) {
    try {
      Resource r = Resource.parseFrom(kv.getValue());
      ResourceMeta meta =
          r.getMeta().toBuilder()
              .setCreateRevision(kv.getCreateRevision())
              .setModRevision(kv.getModRevision())
              .setVersion(kv.getVersion())
              .build();
      return Optional.of(r.toBuilder().setMeta(meta).build());
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }
}
