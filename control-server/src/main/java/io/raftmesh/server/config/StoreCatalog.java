package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Catalog} over the store (reads after a barrier) that remembers the mod revision of every
 * key validation looked at, absent keys included (as 0). {@link #guard} turns those into compares,
 * so a batch is written only against the exact state it was validated against.
 */
final class StoreCatalog implements Catalog {
  private final StoreClient store;
  private final Duration timeout;
  private final ReadConsistency reads;
  private final Map<ByteString, Long> read = new LinkedHashMap<>();
  private final Map<String, Optional<ServiceSpec>> services = new LinkedHashMap<>();

  StoreCatalog(StoreClient store, ReadConsistency reads, Duration timeout) {
    this.store = store;
    this.reads = reads;
    this.timeout = timeout;
  }

  @Override
  public Optional<ServiceSpec> service(String namespace, String name) {
    return services.computeIfAbsent(namespace + "/" + name, k -> load(namespace, name));
  }

  private Optional<ServiceSpec> load(String namespace, String name) {
    ByteString key =
        ByteString.copyFrom(
            ResourceKeys.storeKey(
                ResourceKey.newBuilder()
                    .setType(ResourceType.SERVICE)
                    .setNamespace(namespace)
                    .setName(name)
                    .build()));
    QueryResult r = PrefixScan.get(store, key, reads, timeout);
    read.put(key, r.hasKv() ? r.getKv().getModRevision() : 0L);
    return r.hasKv()
        ? StoredResources.decode(r.getKv()).filter(Resource::hasService).map(Resource::getService)
        : Optional.empty();
  }

  /** Adds a compare per key read to {@code txn}. */
  Transaction guard(Transaction txn) {
    read.forEach(txn::unchanged);
    return txn;
  }
}
