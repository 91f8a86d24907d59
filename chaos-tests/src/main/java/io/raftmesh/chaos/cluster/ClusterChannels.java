package io.raftmesh.chaos.cluster;

import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The TLS channels a {@link Cluster} backend opens to its servers: one cached admin channel per
 * node, and fresh ones for other identities or none. Both backends resolve a node to its API
 * address their own way; everything else about the channels is the same.
 */
final class ClusterChannels implements AutoCloseable {
  private final Function<String, InetSocketAddress> apiAddress;
  private final Map<String, ManagedChannel> admin = new ConcurrentHashMap<>();
  private volatile String rootPem = "";
  private volatile @Nullable MeshIdentity adminIdentity;

  ClusterChannels(Function<String, InetSocketAddress> apiAddress) {
    this.apiAddress = apiAddress;
  }

  /** Sets the trust bundle and the admin identity, once the cluster's PKI exists. */
  void trust(String rootPem, MeshIdentity adminIdentity) {
    this.rootPem = rootPem;
    this.adminIdentity = adminIdentity;
  }

  /** The admin's channel to {@code node} (cached; closed with this object). */
  ManagedChannel admin(String node) {
    MeshIdentity id = adminIdentity;
    if (id == null) {
      throw new IllegalStateException("cluster not started");
    }
    return admin.computeIfAbsent(node, n -> TlsChannels.open(apiAddress.apply(n), rootPem, id));
  }

  /** A new channel to {@code node} as {@code identity}, or without a client certificate. */
  ManagedChannel open(String node, @Nullable MeshIdentity identity) {
    return TlsChannels.open(apiAddress.apply(node), rootPem, identity);
  }

  @Override
  public void close() {
    admin.values().forEach(ManagedChannel::shutdownNow);
  }
}
