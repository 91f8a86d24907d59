package io.raftmesh.chaos.cluster;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.HarnessNetwork;
import io.raftmesh.chaos.failpoint.NetworkControl;
import io.raftmesh.chaos.failpoint.NodeControl;
import io.raftmesh.chaos.failpoint.SupervisedNodes;
import io.raftmesh.chaos.net.FaultBridge;
import io.raftmesh.chaos.net.NamespaceHost;
import io.raftmesh.chaos.net.NamespaceNetwork;
import io.raftmesh.chaos.net.NamespaceRelay;
import io.raftmesh.chaos.process.ProcessSpec;
import io.raftmesh.chaos.process.ProcessSupervisor;
import io.raftmesh.chaos.process.SupervisedProcess;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes backend: every control server a separate JVM started from the distribution's {@code
 * bin/raftmesh server}, with trust material made by {@code raftmesh ca bootstrap} and {@code ca
 * init} exactly as an operator makes it.
 *
 * <p>Networking, by {@link ClusterOptions.NetworkMode}: in namespaces (root), node {@code nK}
 * listens on {@code 10.99.0.K} inside its own namespace, the harness reaches it through a {@link
 * NamespaceRelay}, and partitions and loss are firewall rules; on loopback, {@code nK} listens on
 * {@code 127.0.2.K} and its peers dial it through a {@link FaultBridge} on {@code 127.0.0.1}, which
 * makes the network slow on request (no partitions).
 *
 * <pre>{@code
 * try (ProcessCluster c = ProcessCluster.start(ClusterOptions.of(3, dir, Distribution.at(home)))) {
 *   ConfigServiceGrpc.newBlockingStub(c.channel("n1")).apply(...);
 *   c.nodeControl().kill(c.leader().orElseThrow());
 * }
 * }</pre>
 */
public final class ProcessCluster implements Cluster {
  private static final Logger log = LoggerFactory.getLogger(ProcessCluster.class);
  private static final String TRUST_DOMAIN = "chaos.test";
  private static final int NS_RAFT_PORT = 7000;
  private static final int NS_GRPC_PORT = 7443;
  private static final int NS_METRICS_PORT = 9464;

  private final ClusterOptions options;
  private final ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(5));
  private final Map<String, InetSocketAddress> apiAddresses = new LinkedHashMap<>();
  private final ClusterChannels channels = new ClusterChannels(this::apiAddress);
  private final List<FaultBridge> peerBridges = new ArrayList<>();
  private @Nullable NamespaceNetwork namespaces;
  private @Nullable NamespaceRelay relay;
  private @Nullable SupervisedNodes nodes;
  private @Nullable HarnessNetwork network;
  private Path rootCert = Path.of("root.crt");
  private Capabilities capabilities = Capabilities.all();

  private ProcessCluster(ClusterOptions options) {
    this.options = options;
  }

  /**
   * Starts the cluster and waits until every node serves with a leader and the issuer is installed.
   *
   * @throws IOException if it cannot start; everything started so far is stopped
   */
  public static ProcessCluster start(ClusterOptions options) throws IOException {
    ProcessCluster c = new ProcessCluster(options);
    try {
      c.boot();
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void boot() throws IOException {
    Files.createDirectories(options.dir().resolve("logs"));
    List<String> ids = options.nodeIds();
    boolean useNamespaces = wantNamespaces();
    Map<String, String> hosts = new LinkedHashMap<>();
    Map<String, String> peerAddress = new LinkedHashMap<>();
    Map<String, int[]> ports = new LinkedHashMap<>(); // raft, grpc, metrics
    if (useNamespaces) {
      namespaces =
          NamespaceNetwork.create(
              new NamespaceNetwork.Config(NamespaceNetwork.DEFAULT_PREFIX, ids, "10.99.0", null));
      for (String id : ids) {
        hosts.put(id, namespaces.address(id));
        ports.put(id, new int[] {NS_RAFT_PORT, NS_GRPC_PORT, NS_METRICS_PORT});
        peerAddress.put(id, namespaces.address(id) + ":" + NS_RAFT_PORT);
      }
      capabilities =
          capabilities.without(
              FaultKind.SLOW_NETWORK,
              "a slow network needs loopback peer bridges (not namespaces)");
    } else {
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        String host = "127.0.2." + (i + 1);
        hosts.put(id, host);
        int raft = freePort();
        ports.put(id, new int[] {raft, freePort(), freePort()});
        // Peers dial a bridge on 127.0.0.1 that forwards to the node's own Raft address.
        peerBridges.add(
            FaultBridge.start(
                "peers->" + id,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), raft),
                new InetSocketAddress(host, raft)));
        peerAddress.put(id, "127.0.0.1:" + raft);
      }
      String why =
          options.network() == ClusterOptions.NetworkMode.LOOPBACK
              ? "loopback network chosen"
              : "network namespaces unavailable: " + NamespaceHost.unavailableReason().orElse("");
      capabilities =
          capabilities.without(FaultKind.PARTITION, why).without(FaultKind.LOSSY_NETWORK, why);
    }
    makeTrustMaterial(hosts);
    String peers =
        String.join(
            ",",
            peerAddress.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    Map<String, SupervisedProcess> procs = new LinkedHashMap<>();
    for (String id : ids) {
      ProcessSpec spec =
          serverSpec(id, requireNonNull(hosts.get(id)), requireNonNull(ports.get(id)), peers);
      if (namespaces != null) {
        spec = spec.wrappedBy(namespaces.execPrefix(id));
      }
      procs.put(id, supervisor.start(spec));
    }
    if (namespaces != null) {
      Map<String, String> targets = new LinkedHashMap<>();
      for (String id : ids) {
        targets.put(id + "-api", id + ":" + NS_GRPC_PORT);
      }
      relay =
          NamespaceRelay.start(
              namespaces,
              supervisor,
              JvmCommand.withThisClasspath(),
              options.dir().resolve("relay"),
              targets);
      for (String id : ids) {
        apiAddresses.put(id, relay.address(id + "-api"));
      }
    } else {
      for (String id : ids) {
        apiAddresses.put(
            id,
            new InetSocketAddress(requireNonNull(hosts.get(id)), requireNonNull(ports.get(id))[1]));
      }
    }
    nodes = new SupervisedNodes(supervisor, procs, this::leader);
    network = new HarnessNetwork(namespaces, peerBridges);
    awaitReady(procs);
    log.info(
        "cluster up nodes={} network={} dir={}",
        ids,
        namespaces != null ? "namespaces" : "loopback",
        options.dir());
  }

  private boolean wantNamespaces() {
    Optional<String> why = NamespaceHost.unavailableReason();
    return switch (options.network()) {
      case LOOPBACK -> false;
      case AUTO -> why.isEmpty();
      case NAMESPACES -> {
        if (why.isPresent()) {
          throw new IllegalStateException("network namespaces unavailable: " + why.get());
        }
        yield true;
      }
    };
  }

  private void makeTrustMaterial(Map<String, String> hosts) throws IOException {
    Path pki = options.dir().resolve("pki");
    Distribution dist = options.distribution();
    Duration t = Duration.ofMinutes(2);
    dist.run(
        List.of(
            "ca",
            "bootstrap",
            "--trust-domain",
            TRUST_DOMAIN,
            "--out",
            pki.resolve("root").toString()),
        options.dir().resolve("logs/ca-bootstrap.log"),
        t);
    rootCert = pki.resolve("root/root.crt");
    List<String> init =
        new ArrayList<>(
            List.of(
                "ca",
                "init",
                "--root-cert",
                rootCert.toString(),
                "--root-key",
                pki.resolve("root/root.key").toString(),
                "--out",
                pki.resolve("cluster").toString()));
    for (Map.Entry<String, String> h : hosts.entrySet()) {
      init.add("--server");
      init.add(h.getKey() + "=" + h.getValue() + ",127.0.0.1," + TlsChannels.AUTHORITY);
    }
    dist.run(init, options.dir().resolve("logs/ca-init.log"), t);
    Path adminDir = pki.resolve("cluster/admin");
    channels.trust(
        Files.readString(rootCert),
        new MeshIdentity(
            "spiffe://" + TRUST_DOMAIN + "/admin/admin",
            Files.readString(adminDir.resolve("tls.crt")),
            Files.readString(adminDir.resolve("tls.key"))));
  }

  private ProcessSpec serverSpec(String id, String host, int[] ports, String peers) {
    Path cluster = options.dir().resolve("pki/cluster");
    List<String> args =
        new ArrayList<>(
            List.of(
                "server",
                "--id",
                id,
                "--peers",
                peers,
                "--data-dir",
                options.dir().resolve("data").resolve(id).toString(),
                "--tls-dir",
                cluster.resolve("servers").resolve(id).toString(),
                "--kek-file",
                cluster.resolve("kek.key").toString(),
                "--issuer-file",
                cluster.resolve("issuer.json").toString(),
                "--bind-address",
                host,
                "--raft-bind-address",
                host,
                "--advertise-address",
                host + ":" + ports[1],
                "--grpc-port",
                Integer.toString(ports[1]),
                "--metrics-port",
                Integer.toString(ports[2])));
    args.addAll(options.serverFlags());
    ProcessSpec spec =
        ProcessSpec.of(
            id,
            options.distribution().command(args),
            options.dir().resolve("logs").resolve(id + ".log"));
    for (Map.Entry<String, String> e : options.distribution().environment().entrySet()) {
      spec = spec.withEnv(e.getKey(), e.getValue());
    }
    return spec;
  }

  private void awaitReady(Map<String, SupervisedProcess> procs) throws IOException {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    for (String id : procs.keySet()) {
      while (true) {
        SupervisedProcess p = procs.get(id);
        if (!p.isAlive()) {
          throw new IOException(
              "server " + id + " exited during startup:\n" + Distribution.tail(p.spec().logFile()));
        }
        Optional<StatusResponse> s = status(id, Duration.ofSeconds(3));
        if (s.isPresent() && !s.get().getLeaderId().isEmpty() && s.get().hasIssuerNotAfter()) {
          break;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IOException(
              "server "
                  + id
                  + " did not serve with a leader and an issuer within "
                  + options.startTimeout()
                  + ":\n"
                  + Distribution.tail(p.spec().logFile()));
        }
        sleep(Duration.ofMillis(300));
      }
    }
  }

  /** {@code node}'s status with a deadline, or empty when it does not answer. */
  public Optional<StatusResponse> status(String node, Duration deadline) {
    try {
      return Optional.of(
          ClusterServiceGrpc.newBlockingStub(channel(node))
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .status(StatusRequest.getDefaultInstance()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<String> nodes() {
    return List.copyOf(apiAddresses.keySet());
  }

  /** The address the harness dials to reach {@code node}'s gRPC API. */
  public InetSocketAddress apiAddress(String node) {
    InetSocketAddress a = apiAddresses.get(node);
    if (a == null) {
      throw new IllegalArgumentException(
          "node: " + node + " (expected: one of " + apiAddresses.keySet() + ")");
    }
    return a;
  }

  @Override
  public ManagedChannel channel(String node) {
    return channels.admin(node);
  }

  @Override
  public ManagedChannel channel(String node, MeshIdentity identity) {
    return channels.open(node, identity);
  }

  @Override
  public ManagedChannel anonymousChannel(String node) {
    return channels.open(node, null);
  }

  @Override
  public Path rootCertificate() {
    return rootCert;
  }

  @Override
  public String trustDomain() {
    return TRUST_DOMAIN;
  }

  @Override
  public NodeControl nodeControl() {
    if (nodes == null) {
      throw new IllegalStateException("cluster not started");
    }
    return nodes;
  }

  /** The supervised processes (for their logs and PIDs). */
  public SupervisedNodes supervisedNodes() {
    return (SupervisedNodes) nodeControl();
  }

  @Override
  public NetworkControl network() {
    if (network == null) {
      throw new IllegalStateException("cluster not started");
    }
    return network;
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  /** The distribution the servers run from (agents and the operator CLI come from it too). */
  public Distribution distribution() {
    return options.distribution();
  }

  /** The run directory ({@code logs/}, {@code data/}, {@code pki/}). */
  public Path directory() {
    return options.dir();
  }

  /** The admin's TLS directory for the operator CLI ({@code --tls-dir}). */
  public Path adminTlsDir() {
    return options.dir().resolve("pki/cluster/admin");
  }

  /** Whether nodes run in network namespaces. */
  public boolean usesNamespaces() {
    return namespaces != null;
  }

  @Override
  public Optional<String> leader() {
    for (String n : nodes()) {
      Optional<StatusResponse> s = status(n, Duration.ofSeconds(2));
      if (s.isPresent() && !s.get().getLeaderId().isEmpty()) {
        return Optional.of(s.get().getLeaderId());
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    channels.close();
    if (relay != null) {
      try {
        relay.close();
      } catch (IOException | RuntimeException e) {
        log.warn("closing the relay: {}", e.toString());
      }
    }
    supervisor.close();
    peerBridges.forEach(FaultBridge::close);
    if (namespaces != null) {
      namespaces.close();
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static void sleep(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
