package io.raftmesh.server.testing.xds;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.xds.XdsNameResolverProvider;
import io.raftmesh.server.runtime.ControlServer;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.TestCluster;
import io.raftmesh.server.xds.XdsClientStatus;
import io.raftmesh.server.xds.XdsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Proxyless grpc-java clients (grpc-xds) of a test cluster, and what the servers see of them. */
public final class XdsClients {
  private XdsClients() {}

  /**
   * The bootstrap a proxyless client uses: every control server (in {@code servers} order) over
   * mutual TLS with the identity in {@code tlsDir}, xDS v3, node id {@code nodeId}.
   */
  public static Map<String, ?> bootstrap(List<String> servers, Path tlsDir, String nodeId) {
    return Map.of(
        "xds_servers",
        List.of(
            Map.of(
                "server_uri",
                ServerListResolver.target(servers),
                "channel_creds",
                List.of(
                    Map.of(
                        "type",
                        MeshXdsCredentials.TYPE,
                        "config",
                        Map.of("tls_dir", tlsDir.toString()))),
                "server_features",
                List.of("xds_v3"))),
        "node",
        Map.of("id", nodeId, "cluster", "raftmesh-test"));
  }

  /**
   * A channel to {@code xds:///<listener>} with {@link #bootstrap} (plaintext to the endpoints).
   * Each client gets its own scheme, {@code xds-<nodeId>}, registered with its own bootstrap, so
   * clients in one JVM do not share an xDS client.
   */
  public static ManagedChannel channel(
      String listener, List<String> servers, Path tlsDir, String nodeId) {
    ServerListResolver.register();
    String scheme = "xds-" + nodeId;
    NameResolverRegistry.getDefaultRegistry()
        .register(
            XdsNameResolverProvider.createForTest(scheme, bootstrap(servers, tlsDir, nodeId)));
    ManagedChannel ch =
        Grpc.newChannelBuilder(scheme + ":///" + listener, InsecureChannelCredentials.create())
            .build();
    ch.getState(true); // resolve now (the xDS stream opens) rather than at the first call
    return ch;
  }

  /** Every running server's gRPC address, in id order. */
  public static List<String> servers(TestCluster cluster) {
    List<String> out = new ArrayList<>();
    for (String id : cluster.runningIds()) {
      out.add(cluster.target(id));
    }
    return out;
  }

  /** The stream of client {@code nodeId}, on whichever running server has it. */
  public static Optional<XdsClientStatus> find(TestCluster cluster, String nodeId) {
    for (String id : cluster.runningIds()) {
      ControlServer s = cluster.server(id);
      XdsServer xds = s.xds();
      if (xds == null) {
        continue;
      }
      for (XdsClientStatus c : xds.clients()) {
        if (c.node().equals(nodeId)) {
          return Optional.of(c);
        }
      }
    }
    return Optional.empty();
  }

  /** Waits until client {@code nodeId} has acknowledged {@code revision} (or later). */
  public static XdsClientStatus awaitAcked(TestCluster cluster, String nodeId, long revision) {
    return Await.value(
        "xDS client " + nodeId + " to acknowledge revision " + revision,
        Duration.ofSeconds(60),
        () -> find(cluster, nodeId).filter(c -> c.ackedRevision() >= revision).orElse(null));
  }
}
