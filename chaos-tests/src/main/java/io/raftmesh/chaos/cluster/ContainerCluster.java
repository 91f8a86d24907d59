package io.raftmesh.chaos.cluster;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import io.grpc.ManagedChannel;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.failpoint.NetworkControl;
import io.raftmesh.chaos.failpoint.NodeControl;
import io.raftmesh.chaos.net.Grudge;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.MountableFile;

/**
 * The containers backend (Testcontainers): one container per control server on a Docker network,
 * from an image built from {@code ops/Dockerfile} when it exists, else from the distribution on a
 * JRE base image. Kill is SIGKILL to the container and start restarts it on its own filesystem
 * (data kept); pause is the cgroup freezer. Network faults are not implemented for containers yet
 * (they are reported as unavailable, never faked).
 *
 * <p>Where no Docker engine is reachable, {@link #start} throws {@link BackendUnavailableException}
 * with the reason, and tests skip on {@link #unavailableReason()}.
 */
public final class ContainerCluster implements Cluster {
  private static final Logger log = LoggerFactory.getLogger(ContainerCluster.class);
  private static final int GRPC_PORT = 7443;
  private static final int RAFT_PORT = 7000;
  private static final String TRUST_DOMAIN = "chaos.test";

  /** Base image when the image is built from the distribution (no ops/Dockerfile). */
  public static final String JRE_IMAGE = "eclipse-temurin:17-jre";

  private final ClusterOptions options;
  private final Map<String, GenericContainer<?>> containers = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> adminChannels = new ConcurrentHashMap<>();
  private @Nullable Network network;
  private String rootPem = "";
  private @Nullable MeshIdentity admin;
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
          "no Docker engine found (Testcontainers found no usable DOCKER_HOST or socket)");
    } catch (RuntimeException | LinkageError e) {
      return Optional.of("no Docker engine found: " + e);
    }
  }

  /**
   * Builds the image and starts the cluster.
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
    Path pki = options.dir().resolve("pki");
    Files.createDirectories(options.dir().resolve("logs"));
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
    List<String> init =
        new ArrayList<>(
            List.of(
                "ca", "init",
                "--root-cert", pki.resolve("root/root.crt").toString(),
                "--root-key", pki.resolve("root/root.key").toString(),
                "--out", pki.resolve("cluster").toString()));
    for (String id : options.nodeIds()) {
      init.add("--server");
      init.add(id + "=" + id + ",127.0.0.1," + TlsChannels.AUTHORITY);
    }
    dist.run(init, options.dir().resolve("logs/ca-init.log"), t);
    rootCert = pki.resolve("root/root.crt");
    rootPem = Files.readString(rootCert);
    admin =
        new MeshIdentity(
            "spiffe://" + TRUST_DOMAIN + "/admin/admin",
            Files.readString(pki.resolve("cluster/admin/tls.crt")),
            Files.readString(pki.resolve("cluster/admin/tls.key")));

    ImageFromDockerfile image = image(dist);
    network = Network.newNetwork();
    List<String> peers = new ArrayList<>();
    for (String id : options.nodeIds()) {
      peers.add(id + "=" + id + ":" + RAFT_PORT);
    }
    for (String id : options.nodeIds()) {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "server",
                  "--id",
                  id,
                  "--peers",
                  String.join(",", peers),
                  "--data-dir",
                  "/data",
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
                  "--grpc-port",
                  Integer.toString(GRPC_PORT)));
      cmd.addAll(options.serverFlags());
      GenericContainer<?> c =
          new GenericContainer<>(image)
              .withNetwork(network)
              .withNetworkAliases(id)
              .withExposedPorts(GRPC_PORT)
              .withEnv("RAFTMESH_JAVA_OPTS", dist.javaOpts())
              .withCopyFileToContainer(MountableFile.forHostPath(pki.resolve("cluster")), "/pki")
              .withCommand(cmd.toArray(new String[0]));
      containers.put(id, c);
    }
    containers.values().parallelStream().forEach(GenericContainer::start);
    awaitReady();
  }

  private static ImageFromDockerfile image(Distribution dist) {
    // ops/target/raftmesh-<v>/raftmesh-<v> -> ops/Dockerfile
    Path dockerfile = dist.home().resolve("../../../Dockerfile").normalize();
    if (Files.isRegularFile(dockerfile)) {
      log.info("containers: image from {}", dockerfile);
      return new ImageFromDockerfile("raftmesh-chaos", false).withDockerfile(dockerfile);
    }
    log.info("containers: no {}, image from the distribution on {}", dockerfile, JRE_IMAGE);
    return new ImageFromDockerfile("raftmesh-chaos", false)
        .withFileFromPath("raftmesh", dist.home())
        .withDockerfileFromBuilder(
            b ->
                b.from(JRE_IMAGE)
                    .copy("raftmesh", "/opt/raftmesh")
                    .entryPoint("/opt/raftmesh/bin/raftmesh")
                    .build());
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

  private InetSocketAddress apiAddress(String node) {
    GenericContainer<?> c = container(node);
    return new InetSocketAddress(c.getHost(), c.getMappedPort(GRPC_PORT));
  }

  @Override
  public List<String> nodes() {
    return List.copyOf(containers.keySet());
  }

  @Override
  public ManagedChannel channel(String node) {
    MeshIdentity id = requireNonNull(admin, "admin");
    return adminChannels.computeIfAbsent(node, n -> TlsChannels.open(apiAddress(n), rootPem, id));
  }

  @Override
  public ManagedChannel channel(String node, MeshIdentity identity) {
    return TlsChannels.open(apiAddress(node), rootPem, identity);
  }

  @Override
  public ManagedChannel anonymousChannel(String node) {
    return TlsChannels.open(apiAddress(node), rootPem, null);
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
    return new NoNetworkFaults();
  }

  @Override
  public Capabilities capabilities() {
    String why = "network faults are not implemented for the containers backend";
    return Capabilities.all()
        .without(FaultKind.PARTITION, why)
        .without(FaultKind.SLOW_NETWORK, why)
        .without(FaultKind.LOSSY_NETWORK, why);
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

  @Override
  public void close() {
    adminChannels.values().forEach(ManagedChannel::shutdownNow);
    for (GenericContainer<?> c : containers.values()) {
      try {
        c.stop();
      } catch (RuntimeException e) {
        log.warn("stopping container: {}", e.toString());
      }
    }
    if (network != null) {
      network.close();
    }
  }

  /** Docker's kill, start, pause and unpause. A restarted container gets a new mapped port. */
  private final class Nodes implements NodeControl {
    private DockerClient docker() {
      return DockerClientFactory.instance().client();
    }

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
      docker().killContainerCmd(container(node).getContainerId()).withSignal("SIGKILL").exec();
    }

    @Override
    public void start(String node) {
      docker().startContainerCmd(container(node).getContainerId()).exec();
      ManagedChannel old = adminChannels.remove(node);
      if (old != null) {
        old.shutdownNow();
      }
    }

    @Override
    public void pause(String node) {
      docker().pauseContainerCmd(container(node).getContainerId()).exec();
    }

    @Override
    public void resume(String node) {
      docker().unpauseContainerCmd(container(node).getContainerId()).exec();
    }
  }

  /** Network faults are unavailable here; {@link #capabilities()} says so. */
  private static final class NoNetworkFaults implements NetworkControl {
    @Override
    public void partition(Grudge grudge) {
      if (!grudge.isEmpty()) {
        throw new UnsupportedOperationException("partitions are not implemented for containers");
      }
    }

    @Override
    public void slow(Duration delay, Duration jitter) {
      if (!delay.isZero()) {
        throw new UnsupportedOperationException("delay is not implemented for containers");
      }
    }

    @Override
    public void lossy(Collection<String> nodes, double probability) {
      if (probability > 0) {
        throw new UnsupportedOperationException("loss is not implemented for containers");
      }
    }

    @Override
    public boolean canSlow() {
      return false;
    }
  }
}
