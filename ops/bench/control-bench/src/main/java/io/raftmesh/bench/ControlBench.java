package io.raftmesh.bench;

import com.google.protobuf.util.Durations;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.DeltaAck;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.SubscribeRequest;
import io.raftmesh.proto.v1.SubscribeStart;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * Simulated agents against a running three-server cluster: (1) enrollment rate, (2) propagation of
 * one config write to N open delta streams (p50/p99 over the writes of the time until all N have
 * received it, plus per-agent latencies), (3) server heap per open stream. Prints figures; never
 * judges them.
 *
 * <pre>
 * ControlBench --servers=127.0.0.1:7443,... --admin-tls=DIR --root-cert=FILE
 *              --agents=100,1000 --writes=50 --concurrency=16 [--pids=n1:123,...]
 * </pre>
 */
public final class ControlBench {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final List<String> servers;
  private final TlsDir admin;
  private final Fingerprint root;
  private final Map<String, Long> pids;
  private final List<ManagedChannel> adminChannels = new ArrayList<>();
  private volatile @Nullable Round round;
  private final AtomicInteger resubscribes = new AtomicInteger();
  private static final java.util.concurrent.ScheduledExecutorService RESUBSCRIBER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "resubscriber");
            t.setDaemon(true);
            return t;
          });

  ControlBench(List<String> servers, TlsDir admin, Fingerprint root, Map<String, Long> pids) {
    this.servers = servers;
    this.admin = admin;
    this.root = root;
    this.pids = pids;
    for (String s : servers) {
      adminChannels.add(MeshChannels.open(s, admin));
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    List<String> servers = List.of(required(a, "servers").split(","));
    TlsDir admin = TlsDir.read(Path.of(required(a, "admin-tls")));
    Fingerprint root =
        Fingerprint.of(Pem.readCertificates(Path.of(required(a, "root-cert"))).get(0));
    Map<String, Long> pids = new HashMap<>();
    String pidList = a.getOrDefault("pids", "");
    if (!pidList.isBlank()) {
      for (String p : pidList.split(",")) {
        String[] kv = p.split(":");
        pids.put(kv[0], Long.parseLong(kv[1]));
      }
    }
    int[] agents =
        Arrays.stream(a.getOrDefault("agents", "100,1000").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int writes = Integer.parseInt(a.getOrDefault("writes", "50"));
    int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "16"));
    ControlBench bench = new ControlBench(servers, admin, root, pids);
    bench.requestLatencies();
    int total = Arrays.stream(agents).max().orElse(100);
    // Warm-up: the first enrollments run while the servers' JIT compiles the paths involved.
    bench.enroll(Math.min(200, total), concurrency, "enrollment warm-up (not a figure)");
    List<TlsDir> identities = bench.enroll(total, concurrency, "enrollment");
    for (int n : agents) {
      bench.propagation(identities.subList(0, n), writes);
    }
    bench.adminChannels.forEach(ManagedChannel::shutdownNow);
    System.exit(0);
  }

  private static String required(Map<String, String> args, String name) {
    String v = args.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  // ---------------------------------------------------------------- request latencies

  /** Unloaded latency of single requests, to read the propagation figures against. */
  void requestLatencies() {
    int leader = leaderIndex();
    int follower = (leader + 1) % servers.size();
    ConfigServiceGrpc.ConfigServiceBlockingStub onLeader =
        ConfigServiceGrpc.newBlockingStub(adminChannels.get(leader));
    ConfigServiceGrpc.ConfigServiceBlockingStub onFollower =
        ConfigServiceGrpc.newBlockingStub(adminChannels.get(follower));
    onLeader
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .apply(ApplyRequest.newBuilder().addResources(service(-1)).build());
    io.raftmesh.proto.v1.GetRequest get =
        io.raftmesh.proto.v1.GetRequest.newBuilder()
            .setKey(
                io.raftmesh.proto.v1.ResourceKey.newBuilder()
                    .setType(ResourceType.SERVICE)
                    .setNamespace("bench")
                    .setName("api"))
            .build();
    io.raftmesh.proto.v1.GetRequest stale =
        get.toBuilder().setConsistency(io.raftmesh.proto.v1.Consistency.STALE).build();
    for (int i = 0; i < 200; i++) { // warm-up: the servers' code paths are compiled by the JIT
      onLeader
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .apply(ApplyRequest.newBuilder().addResources(service(-3 - i)).build());
      onFollower.withDeadlineAfter(30, TimeUnit.SECONDS).get(get);
    }
    System.out.printf(
        Locale.ROOT,
        "requests (p50 of 20, one at a time): apply %.1f ms; get linearizable on leader %.1f ms, on follower %.1f ms; get stale on follower %.1f ms%n",
        p50(
            () ->
                onLeader
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .apply(
                        ApplyRequest.newBuilder()
                            .addResources(service(-2 - (int) (System.nanoTime() % 1000)))
                            .build())),
        p50(() -> onLeader.withDeadlineAfter(30, TimeUnit.SECONDS).get(get)),
        p50(() -> onFollower.withDeadlineAfter(30, TimeUnit.SECONDS).get(get)),
        p50(() -> onFollower.withDeadlineAfter(30, TimeUnit.SECONDS).get(stale)));
  }

  private static double p50(Runnable call) {
    long[] t = new long[20];
    for (int i = 0; i < t.length; i++) {
      long s = System.nanoTime();
      call.run();
      t[i] = System.nanoTime() - s;
    }
    Arrays.sort(t);
    return t[t.length / 2] / 1e6;
  }

  // ---------------------------------------------------------------- enrollment

  /** An n-use join token; waits (bounded) while the new leader has yet to store the issuer. */
  private String createToken(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return EnrollmentServiceGrpc.newBlockingStub(adminChannels.get(0))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .createJoinToken(
                CreateJoinTokenRequest.newBuilder()
                    .setMaxUses(n)
                    .setTtl(Durations.fromSeconds(3600))
                    .setDescription("bench")
                    .build())
            .getToken();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  List<TlsDir> enroll(int n, int concurrency, String label) throws Exception {
    String token = createToken(n);
    List<ManagedChannel> pinned = new ArrayList<>();
    for (String s : servers) {
      pinned.add(MeshChannels.pinned(s, root, Clock.systemUTC()));
    }
    String run = UUID.randomUUID().toString().substring(0, 6);
    TlsDir[] out = new TlsDir[n];
    long[] latency = new long[n];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    double cpuBefore = serverCpuSeconds();
    long start = System.nanoTime();
    for (int t = 0; t < concurrency; t++) {
      pool.execute(
          () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
              KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(RANDOM);
              EnrollRequest request =
                  EnrollRequest.newBuilder()
                      .setToken(token)
                      .setNodeName("bench-" + run + "-" + i)
                      .setCsrPem(Csr.create(keys).toPem())
                      .setAddress("10.1.0." + (i % 250))
                      .setAgentVersion("bench")
                      .setRequestId(UUID.randomUUID().toString())
                      .build();
              long t0 = System.nanoTime();
              for (int attempt = 0; attempt < 5; attempt++) {
                try {
                  EnrollResponse r =
                      EnrollmentServiceGrpc.newBlockingStub(
                              pinned.get((i + attempt) % pinned.size()))
                          .withDeadlineAfter(60, TimeUnit.SECONDS)
                          .enroll(request);
                  out[i] =
                      new TlsDir(
                          Pem.decodeCertificates(r.getCertificateChainPem()),
                          keys.getPrivate(),
                          TrustBundle.fromPem(
                              TrustDomain.parse(r.getTrustDomain()), r.getTrustBundlePem()));
                  break;
                } catch (RuntimeException e) {
                  failures.incrementAndGet();
                }
              }
              latency[i] = System.nanoTime() - t0;
            }
          });
    }
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = serverCpuSeconds() - cpuBefore;
    pinned.forEach(ManagedChannel::shutdownNow);
    List<TlsDir> ok = new ArrayList<>();
    for (TlsDir d : out) {
      if (d != null) {
        ok.add(d);
      }
    }
    Arrays.sort(latency);
    System.out.printf(
        Locale.ROOT,
        "%s: %d agents in %.2f s = %.0f enrollments/s (%d client threads, %d servers); latency p50 %.1f ms p99 %.1f ms; retried failures %d%n",
        label,
        ok.size(),
        seconds,
        ok.size() / seconds,
        concurrency,
        servers.size(),
        latency[n / 2] / 1e6,
        latency[Math.min(n - 1, (int) (n * 0.99))] / 1e6,
        failures.get());
    if (!pids.isEmpty()) {
      System.out.printf(
          Locale.ROOT,
          "%s CPU: the three servers used %.1f CPU-seconds = %.1f ms of CPU per enrollment (all servers together)%n",
          label,
          cpu,
          cpu * 1000 / Math.max(1, ok.size()));
    }
    return ok;
  }

  // ---------------------------------------------------------------- propagation

  /** One measured write: the revision to reach and when each agent reached it. */
  static final class Round {
    final long target;
    final long startNanos;
    final AtomicLongArray arrivals;
    final CountDownLatch all;

    Round(long target, long startNanos, int n) {
      this.target = target;
      this.startNanos = startNanos;
      this.arrivals = new AtomicLongArray(n);
      this.all = new CountDownLatch(n);
    }

    void arrived(int index, long revision, long atNanos) {
      if (index < arrivals.length()
          && revision >= target
          && arrivals.compareAndSet(index, 0, atNanos)) {
        all.countDown();
      }
    }
  }

  /** The newest revision an agent received, and when. */
  record Seen(long revision, long atNanos) {}

  /**
   * A simulated agent's stream: ACKs every delta at once; when a server ends the stream (it sheds
   * streams while it has no leader), resumes from the last revision it saw after 200 ms, as the
   * real agent does.
   */
  final class Agent implements StreamObserver<Delta> {
    final int index;
    final ManagedChannel channel;
    final CountDownLatch first = new CountDownLatch(1);
    volatile Seen seen = new Seen(0, 0);
    volatile boolean closing;
    @Nullable StreamObserver<SubscribeRequest> requests;

    Agent(int index, ManagedChannel channel) {
      this.index = index;
      this.channel = channel;
    }

    synchronized void subscribe() {
      requests = DeltaServiceGrpc.newStub(channel).subscribe(this);
      requests.onNext(
          SubscribeRequest.newBuilder()
              .setStart(
                  SubscribeStart.newBuilder()
                      .setResumeRevision(seen.revision())
                      .setAgentVersion("bench"))
              .build());
    }

    synchronized void close() {
      closing = true;
      if (requests != null) {
        requests.onCompleted();
      }
    }

    @Override
    public synchronized void onNext(Delta d) {
      Seen now = new Seen(d.getRevision(), System.nanoTime());
      seen = now;
      first.countDown();
      Round r = round;
      if (r != null) {
        r.arrived(index, now.revision(), now.atNanos());
      }
      if (requests != null) {
        requests.onNext(
            SubscribeRequest.newBuilder()
                .setAck(DeltaAck.newBuilder().setRevision(d.getRevision()))
                .build());
      }
    }

    @Override
    public void onError(Throwable t) {
      if (closing) {
        return;
      }
      resubscribes.incrementAndGet();
      System.err.println("agent " + index + " stream ended, resuming in 200 ms: " + t);
      var unused = RESUBSCRIBER.schedule(this::subscribe, 200, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onCompleted() {}
  }

  void propagation(List<TlsDir> identities, int writes) throws Exception {
    int n = identities.size();
    round = null; // the previous phase's round is sized for its own agents
    Map<String, Long> before = heapUsed();
    List<ManagedChannel> channels = new ArrayList<>();
    List<Agent> agents = new ArrayList<>();
    long openStart = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ManagedChannel ch = MeshChannels.open(servers.get(i % servers.size()), identities.get(i));
      channels.add(ch);
      Agent agent = new Agent(i, ch);
      agent.subscribe();
      agents.add(agent);
    }
    for (Agent agent : agents) {
      if (!agent.first.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("agent " + agent.index + " got no first delta");
      }
    }
    System.out.printf(
        Locale.ROOT,
        "streams: %d opened and reset in %.2f s%n",
        n,
        (System.nanoTime() - openStart) / 1e9);
    Map<String, Long> after = heapUsed();
    if (!before.isEmpty() && !after.isEmpty()) {
      long delta = 0;
      for (String id : after.keySet()) {
        delta += after.get(id) - before.getOrDefault(id, after.get(id));
      }
      System.out.printf(
          Locale.ROOT,
          "memory: server heap after full GC grew by %.1f MiB in all for %d open streams = %.1f KiB per stream (servers %s -> %s KiB)%n",
          delta / 1024.0 / 1024.0,
          n,
          delta / 1024.0 / n,
          kib(before),
          kib(after));
    }
    ConfigServiceGrpc.ConfigServiceBlockingStub config =
        ConfigServiceGrpc.newBlockingStub(adminChannels.get(leaderIndex()));
    for (int w = 0; w < 5; w++) {
      measure(config, w, n, agents); // warm-up
    }
    long[] allApplied = new long[writes];
    List<Long> perAgent = new ArrayList<>();
    for (int w = 0; w < writes; w++) {
      Round r = measure(config, 100 + w, n, agents);
      long last = 0;
      for (int i = 0; i < n; i++) {
        long at = r.arrivals.get(i) - r.startNanos;
        perAgent.add(at);
        last = Math.max(last, at);
      }
      allApplied[w] = last;
    }
    Arrays.sort(allApplied);
    long[] each = perAgent.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        Locale.ROOT,
        "propagation to %d agents over %d writes: all %d received p50 %.1f ms p99 %.1f ms max %.1f ms; per agent p50 %.1f ms p99 %.1f ms%n",
        n,
        writes,
        n,
        allApplied[writes / 2] / 1e6,
        allApplied[Math.min(writes - 1, (int) Math.ceil(writes * 0.99) - 1)] / 1e6,
        allApplied[writes - 1] / 1e6,
        each[each.length / 2] / 1e6,
        each[Math.min(each.length - 1, (int) (each.length * 0.99))] / 1e6);
    System.out.printf(
        Locale.ROOT,
        "propagation to %d agents: %d stream resumptions after a server ended a stream%n",
        n,
        resubscribes.getAndSet(0));
    agents.forEach(Agent::close);
    channels.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel ch : channels) {
      ch.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private Round measure(
      ConfigServiceGrpc.ConfigServiceBlockingStub config, int w, int n, List<Agent> agents)
      throws InterruptedException {
    long start = System.nanoTime();
    long revision =
        config
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .apply(ApplyRequest.newBuilder().addResources(service(w)).build())
            .getRevision();
    Round r = new Round(revision, start, n);
    round = r;
    // Agents may have received the write before its answer reached us: they recorded when.
    for (Agent agent : agents) {
      Seen seen = agent.seen;
      r.arrived(agent.index, seen.revision(), seen.atNanos());
    }
    if (!r.all.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("write " + w + " did not reach every agent in 120 s");
    }
    return r;
  }

  private static Resource service(int w) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("bench")
        .setName("api")
        .setService(
            ServiceSpec.newBuilder()
                .setProtocol(Protocol.HTTP)
                .addPorts(ServicePort.newBuilder().setName("http").setPort(8080))
                .setDescription("write " + w))
        .build();
  }

  private int leaderIndex() {
    String leader =
        ClusterServiceGrpc.newBlockingStub(adminChannels.get(0))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .status(StatusRequest.getDefaultInstance())
            .getLeaderId();
    for (int i = 0; i < servers.size(); i++) {
      String id =
          ClusterServiceGrpc.newBlockingStub(adminChannels.get(i))
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance())
              .getServerId();
      if (id.equals(leader)) {
        return i;
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- memory

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

  /** User plus system CPU time of the server processes, from /proc (0 when unavailable). */
  private double serverCpuSeconds() {
    double total = 0;
    for (long pid : pids.values()) {
      try {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
      } catch (java.io.IOException | RuntimeException e) {
        return 0;
      }
    }
    return total;
  }

  private static Map<String, Long> kib(Map<String, Long> bytes) {
    Map<String, Long> out = new java.util.TreeMap<>();
    bytes.forEach((k, v) -> out.put(k, v / 1024));
    return out;
  }

  private static String jcmd(long pid, String command) throws Exception {
    // jcmd sits next to the java binary running this benchmark.
    Path javaBinary = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Path jcmd = javaBinary.resolveSibling("jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }
}
