package io.raftmesh.chaos.cluster;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.grpc.ManagedChannel;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.NetworkControl;
import io.raftmesh.chaos.failpoint.NodeControl;
import io.raftmesh.chaos.net.Grudge;
import io.raftmesh.chaos.net.NetnsFirewall;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The containers backend (Testcontainers): one container per control server on a private Docker
 * network, from {@code ops/Dockerfile}'s {@code dist} target (see {@link ContainerImage}). Peers
 * dial each other by node id (the network alias); the harness dials each node's gRPC port published
 * on a fixed loopback port, so a node's address survives its restarts.
 *
 * <p>Faults: kill is SIGKILL to the container and start restarts it on its own filesystem (data
 * kept); pause is the cgroup freezer; partitions and packet loss are firewall rules in each
 * container's network namespace, written from the host with {@code nsenter} ({@link NetnsFirewall};
 * needs root and nft or iptables on the host, none in the image). A slow network is not available
 * (no {@code tc netem} here, and no bridge between containers).
 *
 * <p>Where no Docker engine is reachable, {@link #start} throws {@link BackendUnavailableException}
 * with the reason, and tests skip on {@link #unavailableReason()}.
 */
public final class ContainerCluster implements Cluster {
  private static final Logger log = LoggerFactory.getLogger(ContainerCluster.class);
  private static final int GRPC_PORT = 7443;
  private static final int RAFT_PORT = 7000;
  private static final String TRUST_DOMAIN = "chaos.test";

  private final ClusterOptions options;
  private final Map<String, GenericContainer<?>> containers = new LinkedHashMap<>();
  private final Map<String, Integer> hostPorts = new LinkedHashMap<>();
  private final ClusterChannels channels = new ClusterChannels(this::apiAddress);
  private @Nullable Network network;
  private @Nullable NetnsFirewall firewall;
  private String firewallMissing = "";
  private Path rootCert = Path.of("root.crt");

  private ContainerCluster(ClusterOptions options) {
    this.options = options;
  }

  /** Why this backend cannot run here, or empty when a Docker engine answers. */
  public static Optional<String> unavailableReason() {
    try {
      if (DockerClientFactory.instance().isDockerAvailable()) {
        return Optional.empty();
      }
      return Optional.of(
          "no Docker engine found (Testcontainers found no usable DOCKER_HOST or socket;"
              + " ops/docker/engine.sh starts one)");
    } catch (RuntimeException | LinkageError e) {
      return Optional.of("no Docker engine found: " + e);
    }
  }

  /**
   * Builds the image and starts the cluster; returns once every node serves with a leader.
   *
   * @throws BackendUnavailableException when no Docker engine is reachable
   */
  public static ContainerCluster start(ClusterOptions options) throws IOException {
    Optional<String> why = unavailableReason();
    if (why.isPresent()) {
      throw new BackendUnavailableException("containers backend: " + why.get());
    }
    ContainerCluster c = new ContainerCluster(options);
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
    Pki pki = Pki.make(options.distribution(), options.dir(), options.nodeIds(), TRUST_DOMAIN);
    rootCert = pki.rootCert();
    channels.trust(Files.readString(rootCert), pki.admin());

    String image = ContainerImage.of(options.distribution());
    network = Network.newNetwork();
    List<String> peers = new ArrayList<>();
    for (String id : options.nodeIds()) {
      peers.add(id + "=" + id + ":" + RAFT_PORT);
    }
    for (String id : options.nodeIds()) {
      int hostPort = ProcessCluster.freePort();
      hostPorts.put(id, hostPort);
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "server",
                  "--id",
                  id,
                  "--peers",
                  String.join(",", peers),
                  "--data-dir",
                  "/var/lib/raftmesh/data",
                  "--tls-dir",
                  "/pki/servers/" + id,
                  "--kek-file",
                  "/pki/kek.key",
                  "--issuer-file",
                  "/pki/issuer.json",
                  "--bind-address",
                  "0.0.0.0",
                  "--raft-bind-address",
                  "0.0.0.0",
                  "--advertise-address",
                  id + ":" + GRPC_PORT,
                  "--grpc-port",
                  Integer.toString(GRPC_PORT)));
      cmd.addAll(options.serverFlags());
      GenericContainer<?> c =
          new GenericContainer<>(DockerImageName.parse(image))
              .withNetwork(network)
              .withNetworkAliases(id)
              .withExposedPorts(GRPC_PORT)
              .withEnv("RAFTMESH_JAVA_OPTS", options.distribution().javaOpts())
              // The PKI is copied in owned by root; the image's user could not read the keys.
              .withCreateContainerCmdModifier(m -> m.withUser("0:0").withHostName(id))
              .withCopyFileToContainer(MountableFile.forHostPath(pki.clusterDir()), "/pki")
              .waitingFor(NO_WAIT)
              .withCommand(cmd.toArray(new String[0]));
      // A fixed loopback port: the node keeps its address across docker kill / start.
      c.setPortBindings(List.of("127.0.0.1:" + hostPort + ":" + GRPC_PORT));
      containers.put(id, c);
    }
    containers.values().parallelStream().forEach(GenericContainer::start);
    Optional<String> fw = NetnsFirewall.unavailableReason();
    if (fw.isEmpty()) {
      NetnsFirewall f = NetnsFirewall.create();
      firewall = f;
      for (String id : containers.keySet()) {
        bind(f, id);
      }
    } else {
      firewallMissing = fw.get();
      log.warn("containers: no partitions or packet loss: {}", firewallMissing);
    }
    awaitReady();
    log.info(
        "containers: cluster up nodes={} ports={} network={} firewall={}",
        containers.keySet(),
        hostPorts,
        requireNonNull(network).getId(),
        firewall == null ? "none" : firewall.kind());
  }

  private static final AbstractWaitStrategy NO_WAIT =
      new AbstractWaitStrategy() {
        @Override
        protected void waitUntilReady() {
          // readiness is a Status answer with a leader: awaitReady()
        }
      };

  private void bind(NetnsFirewall f, String id) throws IOException {
    InspectContainerResponse info = docker().inspectContainerCmd(containerId(id)).exec();
    Long pid = requireNonNull(info.getState().getPidLong(), "pid");
    String ip = "";
    String netId = requireNonNull(network).getId();
    for (ContainerNetwork n : info.getNetworkSettings().getNetworks().values()) {
      if (netId.equals(n.getNetworkID())) {
        ip = requireNonNull(n.getIpAddress(), "ip");
      }
    }
    if (ip.isEmpty()) {
      throw new IOException("container " + id + " has no address on network " + netId);
    }
    f.bind(id, pid, ip);
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  private String containerId(String node) {
    return container(node).getContainerId();
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    for (String id : containers.keySet()) {
      while (true) {
        Optional<StatusResponse> s = status(id);
        if (s.isPresent() && !s.get().getLeaderId().isEmpty() && s.get().hasIssuerNotAfter()) {
          break;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IOException(
              "container "
                  + id
                  + " did not serve within "
                  + options.startTimeout()
                  + ":\n"
                  + requireNonNull(containers.get(id)).getLogs());
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }
  }

  private Optional<StatusResponse> status(String node) {
    try {
      return Optional.of(
          ClusterServiceGrpc.newBlockingStub(channel(node))
              .withDeadlineAfter(3, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private GenericContainer<?> container(String node) {
    GenericContainer<?> c = containers.get(node);
    if (c == null) {
      throw new IllegalArgumentException(
          "node: " + node + " (expected: one of " + containers.keySet() + ")");
    }
    return c;
  }

  /** Where the harness dials {@code node}'s gRPC API (a fixed loopback port). */
  public InetSocketAddress apiAddress(String node) {
    container(node);
    return new InetSocketAddress("127.0.0.1", requireNonNull(hostPorts.get(node)));
  }

  @Override
  public List<String> nodes() {
    return List.copyOf(containers.keySet());
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
    return new Nodes();
  }

  @Override
  public NetworkControl network() {
    return new FirewallNetwork();
  }

  @Override
  public Capabilities capabilities() {
    Capabilities c =
        Capabilities.all()
            .without(
                FaultKind.SLOW_NETWORK,
                "a slow network is not available for containers (no tc netem in this kernel,"
                    + " no fault bridge between containers)");
    if (firewall == null) {
      String why = "partitions and packet loss in containers need " + firewallMissing;
      c = c.without(FaultKind.PARTITION, why).without(FaultKind.LOSSY_NETWORK, why);
    }
    return c;
  }

  @Override
  public Optional<String> leader() {
    for (String n : nodes()) {
      Optional<StatusResponse> s = status(n);
      if (s.isPresent() && !s.get().getLeaderId().isEmpty()) {
        return Optional.of(s.get().getLeaderId());
      }
    }
    return Optional.empty();
  }

  /** The firewall rules inside {@code node}'s container (for tests and reports). */
  public String rules(String node) throws IOException {
    NetnsFirewall f = firewall;
    if (f == null) {
      throw new UnsupportedOperationException(firewallMissing);
    }
    return f.rules(node);
  }

  @Override
  public void close() {
    channels.close();
    for (Map.Entry<String, GenericContainer<?>> e : containers.entrySet()) {
      GenericContainer<?> c = e.getValue();
      try {
        if (c.getContainerId() != null) {
          Files.writeString(
              options.dir().resolve("logs").resolve(e.getKey() + ".log"),
              c.getLogs(),
              StandardCharsets.UTF_8);
        }
      } catch (IOException | RuntimeException ex) {
        log.warn("container {}: cannot save its log: {}", e.getKey(), ex.toString());
      }
      try {
        c.stop();
      } catch (RuntimeException ex) {
        log.warn("stopping container {}: {}", e.getKey(), ex.toString());
      }
    }
    if (network != null) {
      try {
        network.close();
      } catch (RuntimeException ex) {
        log.warn("removing network: {}", ex.toString());
      }
    }
  }

  /** Docker's kill, start, pause and unpause; the firewall follows the container's namespace. */
  private final class Nodes implements NodeControl {
    @Override
    public List<String> nodes() {
      return ContainerCluster.this.nodes();
    }

    @Override
    public Optional<String> leader() {
      return ContainerCluster.this.leader();
    }

    @Override
    public void kill(String node) {
      docker().killContainerCmd(containerId(node)).withSignal("SIGKILL").exec();
      if (firewall != null) {
        firewall.unbind(node);
      }
    }

    @Override
    public void start(String node) throws IOException {
      docker().startContainerCmd(containerId(node)).exec();
      if (firewall != null) {
        bind(firewall, node);
      }
    }

    @Override
    public void pause(String node) {
      docker().pauseContainerCmd(containerId(node)).exec();
    }

    @Override
    public void resume(String node) {
      docker().unpauseContainerCmd(containerId(node)).exec();
    }
  }

  /** Partitions and loss through {@link NetnsFirewall}; what is missing fails with the reason. */
  private final class FirewallNetwork implements NetworkControl {
    private NetnsFirewall firewall(String fault) {
      NetnsFirewall f = firewall;
      if (f == null) {
        throw new UnsupportedOperationException(fault + " in containers needs " + firewallMissing);
      }
      return f;
    }

    @Override
    public void partition(Grudge grudge) throws IOException {
      if (grudge.isEmpty() && firewall == null) {
        return;
      }
      firewall("a partition").partition(grudge);
    }

    @Override
    public void slow(Duration delay, Duration jitter) {
      if (!delay.isZero() || !jitter.isZero()) {
        throw new UnsupportedOperationException(
            "a slow network is not implemented for containers (no tc netem in this kernel)");
      }
    }

    @Override
    public void lossy(Collection<String> nodes, double probability) throws IOException {
      if (probability == 0 && firewall == null) {
        return;
      }
      NetnsFirewall f = firewall("packet loss");
      for (String n : nodes) {
        f.setLoss(n, probability);
      }
    }

    @Override
    public boolean canSlow() {
      return false;
    }
  }
}
