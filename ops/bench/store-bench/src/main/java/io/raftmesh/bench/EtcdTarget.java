package io.raftmesh.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** etcd through jetcd, etcd's Java client (puts; gets are linearizable by default). */
final class EtcdTarget implements Target {
  private final Client client;
  private final KV kv;
  private final Map<String, Long> pidByEndpoint;

  EtcdTarget(List<String> endpoints, Map<String, Long> pidByEndpoint) {
    this.client = Client.builder().endpoints(endpoints.toArray(new String[0])).build();
    this.kv = client.getKVClient();
    this.pidByEndpoint = pidByEndpoint;
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return kv.put(ByteSequence.from(key), ByteSequence.from(value));
  }

  @Override
  public CompletableFuture<?> get(byte[] key) {
    return kv.get(ByteSequence.from(key));
  }

  @Override
  public Optional<Long> leaderPid() {
    for (Map.Entry<String, Long> e : pidByEndpoint.entrySet()) {
      try {
        StatusResponse s =
            client.getMaintenanceClient().statusMember(e.getKey()).get(2, TimeUnit.SECONDS);
        if (s.getLeader() == s.getHeader().getMemberId()) {
          return Optional.of(e.getValue());
        }
      } catch (Exception ex) {
        // that member is down or slow: ask the next
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    client.close();
  }
}
