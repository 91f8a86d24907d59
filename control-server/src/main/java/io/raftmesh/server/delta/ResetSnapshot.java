package io.raftmesh.server.delta;

import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.server.config.ResourceKeys;
import io.raftmesh.server.config.StoredResources;
import io.raftmesh.store.Backup;
import io.raftmesh.store.StoreMember;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A full-state delta ({@code reset}) read from one consistent view of the local replica: every
 * visible resource at exactly the view's revision. Resource keys sort before the server's reserved
 * records, so the scan stops at the first key that is not a resource.
 */
final class ResetSnapshot {
  private ResetSnapshot() {}

  static Delta read(StoreMember member, Predicate<ResourceKey> visible, String serverId) {
    try (Backup view = member.openBackup()) {
      Delta.Builder d =
          Delta.newBuilder()
              .setReset(true)
              .setPreviousRevision(0)
              .setRevision(view.revision())
              .setServerId(serverId);
      while (view.hasNext()) {
        KeyValue kv = view.next();
        if (kv.getKey().isEmpty() || kv.getKey().byteAt(0) != '/') {
          break;
        }
        Optional<ResourceKey> key = ResourceKeys.parse(kv.getKey().toByteArray());
        if (key.isPresent() && visible.test(key.get())) {
          StoredResources.decode(kv).ifPresent(d::addUpserts);
        }
      }
      return d.build();
    }
  }
}
