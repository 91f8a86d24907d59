package io.raftmesh.bench.xds;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import io.raftmesh.server.tls.MeshChannels;
import io.raftmesh.server.tls.TlsDir;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Simulated xDS clients of a running three-server cluster, for {@code ops/bench/xds.sh}:
 *
 * <ol>
 *   <li>memory: the servers' heap after a full GC, before and after {@code --services} services
 *       (two subsets each) with one registered endpoint each;
 *   <li>propagation: {@code --clients} ADS streams (spread over the servers, one node identity,
 *       each on its own connection) watch one service the way grpc-java does (LDS, RDS, CDS, EDS)
 *       and ACK every response; each write changes that service's route split, and the figure is
 *       the time from sending the apply to each client sending its ACK of a version at or after the
 *       write's revision: p50/p99 over every client and write, and of the last client per write.
 * </ol>
 *
 * Prints figures; never fails on a timing.
 */
public final class XdsBench {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String NS = "bench";
  private static final String HOT = "hot";
  private static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  private static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String EDS =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private final List<String> servers;
  private final List<ManagedChannel> admin = new ArrayList<>();
  private final Map<String, Long> pids;

  private XdsBench(List<String> servers, TlsDir adminTls, Map<String, Long> pids) {
    this.servers = servers;
    this.pids = pids;
    for (String s : servers) {
      admin.add(MeshChannels.open(s, adminTls));
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    List<String> servers = List.of(a.getOrDefault("servers", "127.0.0.1:7443").split(","));
    TlsDir adminTls = TlsDir.read(Path.of(a.getOrDefault("admin-tls", "admin")));
    Fingerprint root =
        Fingerprint.of(
            Pem.readCertificates(Path.of(a.getOrDefault("root-cert", "root.crt"))).get(0));
    Map<String, Long> pids = new HashMap<>();
    for (String p : a.getOrDefault("pids", "").split(",")) {
      if (!p.isBlank()) {
        String[] kv = p.split(":");
        pids.put(kv[0], Long.parseLong(kv[1]));
      }
    }
    int clients = Integer.parseInt(a.getOrDefault("clients", "100"));
    int services = Integer.parseInt(a.getOrDefault("services", "1000"));
    int writes = Integer.parseInt(a.getOrDefault("writes", "30"));
    XdsBench bench = new XdsBench(servers, adminTls, pids);
    TlsDir node = bench.enroll(root);
    bench.memory(node, services);
    bench.propagation(node, clients, writes);
    bench.admin.forEach(ManagedChannel::shutdownNow);
    System.exit(0);
  }

  TlsDir enroll(Fingerprint root) {
    String token =
        EnrollmentServiceGrpc.newBlockingStub(admin.get(0))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .createJoinToken(
                CreateJoinTokenRequest.newBuilder()
                    .setMaxUses(1)
                    .setTtl(Durations.fromSeconds(600))
                    .setDescription("xds bench")
                    .build())
            .getToken();
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(RANDOM);
    ManagedChannel pinned = MeshChannels.pinned(servers.get(0), root, Clock.systemUTC());
    try {
      EnrollResponse r =
          EnrollmentServiceGrpc.newBlockingStub(pinned)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .enroll(
                  EnrollRequest.newBuilder()
                      .setToken(token)
                      .setNodeName("xds-bench-" + UUID.randomUUID().toString().substring(0, 6))
                      .setCsrPem(Csr.create(keys).toPem())
                      .setAddress("127.0.0.1")
                      .setAgentVersion("bench")
                      .setRequestId(UUID.randomUUID().toString())
                      .build());
      return new TlsDir(
          Pem.decodeCertificates(r.getCertificateChainPem()),
          keys.getPrivate(),
          TrustBundle.fromPem(TrustDomain.parse(r.getTrustDomain()), r.getTrustBundlePem()));
    } finally {
      pinned.shutdownNow();
    }
  }

  static Resource service(String name) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace(NS)
        .setName(name)
        .setService(
            ServiceSpec.newBuilder()
                .setProtocol(Protocol.GRPC)
                .addPorts(ServicePort.newBuilder().setName("grpc").setPort(50051))
                .addSubsets(Subset.newBuilder().setName("v1").putLabels("version", "v1"))
                .addSubsets(Subset.newBuilder().setName("v2").putLabels("version", "v2")))
        .build();
  }

  static Resource route(int w1) {
    return Resource.newBuilder()
        .setType(ResourceType.TRAFFIC_ROUTE)
        .setNamespace(NS)
        .setName(HOT)
        .setTrafficRoute(
            TrafficRouteSpec.newBuilder()
                .setDestination(HOT)
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("split")
                        .addSplit(WeightedTarget.newBuilder().setSubset("v1").setWeight(w1))
                        .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(100 - w1))))
        .build();
  }

  long apply(Resource... resources) {
    return ConfigServiceGrpc.newBlockingStub(admin.get(0))
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .apply(ApplyRequest.newBuilder().addAllResources(List.of(resources)).build())
        .getRevision();
  }

  void memory(TlsDir node, int services) {
    Map<String, Long> before = heapUsed();
    ManagedChannel ch = MeshChannels.open(servers.get(0), node);
    try {
      for (int from = 0; from < services; from += 100) {
        ApplyRequest.Builder batch = ApplyRequest.newBuilder();
        RegisterRequest.Builder endpoints = RegisterRequest.newBuilder();
        for (int i = from; i < Math.min(services, from + 100); i++) {
          String name = i == 0 ? HOT : "svc-" + i;
          batch.addResources(service(name));
          endpoints.addEndpoints(
              EndpointRegistration.newBuilder()
                  .setNamespace(NS)
                  .setService(name)
                  .setAddress("127.0.0." + (1 + i % 250))
                  .setPort(50051)
                  .putLabels("version", i % 2 == 0 ? "v1" : "v2")
                  .setHealth(HealthStatus.HEALTHY));
        }
        ConfigServiceGrpc.newBlockingStub(admin.get(0))
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .apply(batch.build());
        RegistrationServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .register(endpoints.build());
      }
    } finally {
      ch.shutdownNow();
    }
    sleep(3_000); // let every server's xDS snapshot catch up
    Map<String, Long> after = heapUsed();
    List<String> growth = new ArrayList<>();
    for (String id : new java.util.TreeSet<>(after.keySet())) {
      growth.add(
          String.format(
              Locale.ROOT,
              "%s %.1f -> %.1f MiB",
              id,
              before.getOrDefault(id, 0L) / 1048576.0,
              after.getOrDefault(id, 0L) / 1048576.0));
    }
    System.out.printf(
        Locale.ROOT,
        "memory: %d services (3 clusters and assignments, 1 route configuration, 1 listener each = %d xDS resources), %d endpoints: server heap after full GC %s%n",
        services,
        services * 8,
        services,
        String.join("; ", growth));
  }

  void propagation(TlsDir node, int clients, int writes) throws InterruptedException {
    apply(route(50));
    List<ManagedChannel> channels = new ArrayList<>();
    List<Client> all = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      ManagedChannel ch = MeshChannels.open(servers.get(i % servers.size()), node);
      channels.add(ch);
      Client c = new Client("bench-client-" + i);
      c.start(ch);
      all.add(c);
    }
    long ready = apply(route(49));
    for (Client c : all) {
      c.awaitAcked(ready);
    }
    List<Double> each = new ArrayList<>();
    List<Double> last = new ArrayList<>();
    for (int w = 0; w < writes + 5; w++) {
      long start = System.nanoTime();
      long revision = apply(route(w % 2 == 0 ? 20 : 30));
      double slowest = 0;
      for (Client c : all) {
        long at = c.awaitAcked(revision);
        double ms = (at - start) / 1e6;
        slowest = Math.max(slowest, ms);
        if (w >= 5) { // the first five are warm-up
          each.add(ms);
        }
      }
      if (w >= 5) {
        last.add(slowest);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "propagation: %d xDS clients (ADS state of the world, %d servers), %d writes: apply -> client ACK p50 %.1f ms p99 %.1f ms; apply -> last client's ACK p50 %.1f ms p99 %.1f ms%n",
        clients,
        servers.size(),
        writes,
        pct(each, 50),
        pct(each, 99),
        pct(last, 50),
        pct(last, 99));
    for (Client c : all) {
      c.close();
    }
    channels.forEach(ManagedChannel::shutdownNow);
  }

  static double pct(List<Double> values, int p) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length == 0 ? 0 : v[Math.min(v.length - 1, (int) Math.ceil(p / 100.0 * v.length) - 1)];
  }

  /** One simulated grpc-java-like client: LDS, then RDS, CDS, EDS of the hot service; ACKs all. */
  static final class Client implements StreamObserver<DiscoveryResponse> {
    private final String id;
    private final Map<Long, Long> ackedAt = new ConcurrentHashMap<>();
    private volatile long acked;
    private final CountDownLatch done = new CountDownLatch(1);
    private @org.jspecify.annotations.Nullable StreamObserver<DiscoveryRequest> out;

    Client(String id) {
      this.id = id;
    }

    void start(ManagedChannel ch) {
      StreamObserver<DiscoveryRequest> o =
          AggregatedDiscoveryServiceGrpc.newStub(ch).streamAggregatedResources(this);
      out = o;
      String listener = HOT + "." + NS;
      String cluster = NS + "/" + HOT;
      synchronized (this) {
        o.onNext(request(LDS, "", "", List.of(listener)));
        o.onNext(request(RDS, "", "", List.of(listener)));
        o.onNext(request(CDS, "", "", List.of(cluster, cluster + "/v1", cluster + "/v2")));
        o.onNext(request(EDS, "", "", List.of(cluster, cluster + "/v1", cluster + "/v2")));
      }
    }

    private DiscoveryRequest request(
        String type, String version, String nonce, List<String> names) {
      return DiscoveryRequest.newBuilder()
          .setNode(Node.newBuilder().setId(id))
          .setTypeUrl(type)
          .setVersionInfo(version)
          .setResponseNonce(nonce)
          .addAllResourceNames(names)
          .build();
    }

    @Override
    public void onNext(DiscoveryResponse r) {
      List<String> names = new ArrayList<>();
      String listener = HOT + "." + NS;
      String cluster = NS + "/" + HOT;
      if (r.getTypeUrl().equals(LDS) || r.getTypeUrl().equals(RDS)) {
        names.add(listener);
      } else {
        names.addAll(List.of(cluster, cluster + "/v1", cluster + "/v2"));
      }
      StreamObserver<DiscoveryRequest> o = out;
      long version = Long.parseLong(r.getVersionInfo());
      synchronized (this) {
        if (o != null) {
          o.onNext(request(r.getTypeUrl(), r.getVersionInfo(), r.getNonce(), names));
        }
        if (r.getTypeUrl().equals(RDS) && version > acked) {
          acked = version;
          ackedAt.put(version, System.nanoTime());
          notifyAll();
        }
      }
    }

    /** When this client ACKed a route version at or after {@code revision} (waits, bounded). */
    synchronized long awaitAcked(long revision) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acked < revision) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(id + " did not acknowledge revision " + revision);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      long best = Long.MAX_VALUE;
      for (Map.Entry<Long, Long> e : ackedAt.entrySet()) {
        if (e.getKey() >= revision) {
          best = Math.min(best, e.getValue());
        }
      }
      return best;
    }

    @Override
    public void onError(Throwable t) {
      System.err.println(id + ": stream failed: " + t);
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }

    synchronized void close() {
      StreamObserver<DiscoveryRequest> o = out;
      if (o != null) {
        o.onCompleted();
      }
    }
  }

  private Map<String, Long> heapUsed() {
    Map<String, Long> out = new HashMap<>();
    for (Map.Entry<String, Long> e : pids.entrySet()) {
      try {
        jcmd(e.getValue(), "GC.run");
        String info = jcmd(e.getValue(), "GC.heap_info");
        var m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        if (m.find()) {
          out.put(e.getKey(), Long.parseLong(m.group(1)) * 1024);
        }
      } catch (Exception x) {
        System.err.println("jcmd " + e.getValue() + ": " + x);
      }
    }
    return out;
  }

  private static String jcmd(long pid, String command) throws Exception {
    Path javaBinary = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Process p =
        new ProcessBuilder(
                javaBinary.resolveSibling("jcmd").toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
