package io.raftmesh.agent.testing;

import com.google.protobuf.util.Durations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.cli.RaftmeshMain;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Three real control servers for agent tests: control-server's {@link TestCluster} (servers in this
 * JVM over real sockets, real mutual TLS, Ratis and RocksDB on disk, trust made by {@code raftmesh
 * ca bootstrap} and {@code ca init}), driven the way an operator drives it: resources through the
 * ConfigService as the first admin, join tokens, {@code raftmesh status} through the CLI, and
 * servers stopped and started again on the same ports and data dirs. Close it to stop everything.
 */
public final class ControlCluster implements AutoCloseable {
  /** The trust domain of the test cluster. */
  public static final String TRUST_DOMAIN = io.raftmesh.server.testing.TestPki.TRUST_DOMAIN;

  private static final int SERVERS = 3;

  private final TestCluster cluster;
  private final Map<String, HostPort> addresses = new LinkedHashMap<>();

  private ControlCluster(TestCluster cluster) {
    this.cluster = cluster;
    for (String id : cluster.runningIds()) {
      String[] target = cluster.target(id).split(":", -1);
      addresses.put(id, new HostPort(target[0], Integer.parseInt(target[1])));
    }
  }

  /** Starts three servers under {@code dir} and waits for a ready leader with the issuing CA. */
  public static ControlCluster start(Path dir) {
    return new ControlCluster(TestCluster.start(dir, SERVERS));
  }

  /** Every server's gRPC address (also of stopped servers), as an agent config lists them. */
  public List<HostPort> addresses() {
    return List.copyOf(addresses.values());
  }

  /** The id of the server at {@code address} ({@code host:port}). */
  public String idOf(String address) {
    return addresses.entrySet().stream()
        .filter(e -> e.getValue().toString().equals(address))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no server at " + address + " in " + addresses));
  }

  /** The cluster's trust material, made by the CLI (root, issuer, server and admin TLS). */
  public io.raftmesh.server.testing.TestPki pki() {
    return cluster.pki();
  }

  /** A join token for {@code uses} enrollments, created by the first admin. */
  public String token(int uses, Duration ttl) {
    return retrying("create join token", () -> TestAgent.token(cluster, anyRunning(), uses, ttl));
  }

  /** Applies {@code resources} in one request as the first admin; returns the write's revision. */
  public long apply(Resource... resources) {
    ApplyRequest request = ApplyRequest.newBuilder().addAllResources(List.of(resources)).build();
    return retrying(
        "apply",
        () ->
            ConfigServiceGrpc.newBlockingStub(cluster.admin(anyRunning()))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .apply(request)
                .getRevision());
  }

  /** Deletes one resource as the first admin; returns the write's revision. */
  public long delete(ResourceType type, String namespace, String name) {
    DeleteRequest request =
        DeleteRequest.newBuilder()
            .addKeys(ResourceKey.newBuilder().setType(type).setNamespace(namespace).setName(name))
            .build();
    return retrying(
        "delete",
        () ->
            ConfigServiceGrpc.newBlockingStub(cluster.admin(anyRunning()))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .delete(request)
                .getRevision());
  }

  /**
   * Enrolls {@code nodes} simulated nodes (each with its own key and CSR, as an agent does) that
   * each register one healthy endpoint of every service in {@code services} (which must exist), at
   * addresses in 10.0.0.0/8; returns the revision of the last registration. They do not heartbeat:
   * the servers mark their endpoints unhealthy after a while, and remove them after MeshConfig's
   * {@code endpoint_remove_after} (5 minutes by default).
   */
  public long registerEndpoints(String namespace, List<String> services, int nodes) {
    String token = token(nodes, Duration.ofMinutes(10));
    long revision = 0;
    for (int n = 0; n < nodes; n++) {
      String server = anyRunning();
      TestAgent node = TestAgent.enroll(cluster, server, token, "sim-" + n);
      RegisterRequest.Builder request = RegisterRequest.newBuilder();
      for (String service : services) {
        request.addEndpoints(
            EndpointRegistration.newBuilder()
                .setNamespace(namespace)
                .setService(service)
                .setAddress("10." + (n / 256 % 256) + "." + (n % 256) + ".1")
                .setPort(15443)
                .setHealth(HealthStatus.HEALTHY)
                .setWeight(1));
      }
      revision =
          RegistrationServiceGrpc.newBlockingStub(node.channel(cluster, server))
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .register(request.build())
              .getRevision();
    }
    return revision;
  }

  /** The MeshConfig with the given certificate lifetimes. */
  public static Resource meshConfig(Duration workloadTtl, Duration nodeTtl) {
    return Resource.newBuilder()
        .setType(ResourceType.MESH_CONFIG)
        .setNamespace("system")
        .setName("default")
        .setMeshConfig(
            MeshConfigSpec.newBuilder()
                .setTrustDomain(TRUST_DOMAIN)
                .setWorkloadCertTtl(Durations.fromMillis(workloadTtl.toMillis()))
                .setNodeCertTtl(Durations.fromMillis(nodeTtl.toMillis())))
        .build();
  }

  /**
   * Runs {@code raftmesh <args> --servers <running> --tls-dir <admin>} in this JVM and returns its
   * standard output; fails on a non-zero exit.
   */
  public String cli(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.add("--servers");
    all.add(
        cluster.runningIds().stream()
            .map(id -> addresses.get(id).toString())
            .collect(Collectors.joining(",")));
    all.add("--tls-dir");
    all.add(cluster.pki().adminTls().toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        RaftmeshMain.run(
            all.toArray(new String[0]), Map.of(), new PrintWriter(out), new PrintWriter(err));
    if (code != 0) {
      throw new AssertionError(
          "raftmesh " + String.join(" ", args) + " exited " + code + ": " + err);
    }
    return out.toString();
  }

  /** {@code raftmesh status}. */
  public String status() {
    return cli("status");
  }

  /** Stops server {@code id} (its data dir stays). */
  public void stop(String id) {
    cluster.stop(id);
  }

  /** Stops every server. */
  public void stopAll() {
    for (String id : cluster.runningIds()) {
      cluster.stop(id);
    }
  }

  /** Starts every stopped server again and waits for a ready leader. */
  public void startAll() {
    for (String id : addresses.keySet()) {
      if (!cluster.runningIds().contains(id)) {
        cluster.startServer(id);
      }
    }
    cluster.awaitLeader();
  }

  /** The ids of the running servers. */
  public List<String> running() {
    return cluster.runningIds();
  }

  private String anyRunning() {
    return cluster.awaitLeader();
  }

  /** Retries an admin call across a leader change (bounded: 20 attempts, about 10 s). */
  private static <T> T retrying(String what, Supplier<T> call) {
    StatusRuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
          throw e;
        }
        last = e;
        Await.sleep(500);
      }
    }
    throw new AssertionError(what + ": no server answered", last);
  }

  @Override
  public void close() {
    cluster.close();
  }
}
