package io.raftmesh.agent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftmesh.agent.Agent;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.ControlCluster;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.server.testing.Resources;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Figures for {@code ops/bench/agent.sh}, against three real control servers in this JVM
 * (control-server's test cluster: Raft, RocksDB, mutual TLS on loopback); agents are real. Remote
 * endpoints are registered by simulated nodes (enrolled with their own keys, as agents are).
 *
 * <ul>
 *   <li>{@code enroll N}: N agents (in this JVM, each with its own data dir and one local service)
 *       start at once with a join token; prints time to enrolled and to first config.
 *   <li>{@code footprint S E}: one agent in its own JVM ({@code raftmesh agent}, small heap) with S
 *       local services against a mesh of E remote endpoints; prints its resident memory once it
 *       applied the mesh, then stops every server, restarts the agent and prints the time from
 *       process start to serving the cached config.
 * </ul>
 */
public final class AgentBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AgentBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "all";
    Path work = Files.createTempDirectory("raftmesh-agent-bench");
    try {
      switch (mode) {
        case "enroll" -> enroll(Integer.parseInt(args[1]), work);
        case "footprint" ->
            footprint(
                Integer.parseInt(args[1]),
                Integer.parseInt(args[2]),
                args.length > 3 ? args[3] : "-Xmx64m",
                work);
        default -> {
          enroll(1, work.resolve("e1"));
          enroll(50, work.resolve("e50"));
          footprint(50, 1000, "-Xmx64m", work.resolve("fp"));
        }
      }
    } finally {
      deleteTree(work);
    }
    System.exit(0);
  }

  /** {@code services} remote services and {@code endpoints} endpoints spread over them. */
  private static void seed(ControlCluster cluster, int services, int endpoints) {
    List<String> names = new ArrayList<>();
    List<Resource> batch = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      names.add("svc-" + s);
      batch.add(Resources.service("remote", "svc-" + s));
    }
    cluster.apply(batch.toArray(new Resource[0]));
    // One simulated node per `services` endpoints: each registers one endpoint of every service.
    int nodes = Math.max(1, endpoints / Math.max(1, services));
    cluster.registerEndpoints("remote", names, nodes);
  }

  private static long revision(ControlCluster cluster) {
    // An empty write is not allowed; re-applying an existing service returns the current revision.
    return cluster.apply(Resources.service("remote", "svc-0"));
  }

  static void enroll(int agents, Path work) throws Exception {
    ControlCluster cluster = ControlCluster.start(work.resolve("cluster"));
    seed(cluster, 10, 100);
    List<Resource> local = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      local.add(Resources.service("n" + i, "web"));
    }
    cluster.apply(local.toArray(new Resource[0]));
    String token = cluster.token(agents, Duration.ofMinutes(10));
    long target = revision(cluster);
    ExecutorService pool = Executors.newFixedThreadPool(agents);
    List<Future<long[]>> results = new ArrayList<>();
    List<Agent> started = Collections.synchronizedList(new ArrayList<>());
    long t0 = System.nanoTime();
    for (int i = 0; i < agents; i++) {
      int n = i;
      results.add(
          pool.submit(
              () -> {
                long begin = System.nanoTime();
                AgentConfig config =
                    AgentHarness.config(
                        "bench-" + n,
                        cluster.addresses(),
                        work.resolve("a" + n),
                        "services:\n  - {name: web, namespace: n"
                            + n
                            + ", app-port: 1, inbound-port: 2}\n");
                Agent agent =
                    AgentHarness.start(
                        config,
                        AgentHarness.options(
                            token,
                            new RecordingDataPlane(),
                            ChannelFactory.tls(),
                            s -> new HealthProbe.Result(true, "ok")));
                started.add(agent);
                long enrolled = System.nanoTime() - begin;
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (agent.appliedRevision() < target && System.nanoTime() < deadline) {
                  Thread.sleep(5);
                }
                return new long[] {enrolled, System.nanoTime() - begin};
              }));
    }
    List<Long> enrolled = new ArrayList<>();
    List<Long> firstConfig = new ArrayList<>();
    for (Future<long[]> f : results) {
      long[] r = f.get();
      enrolled.add(r[0]);
      firstConfig.add(r[1]);
    }
    long wall = System.nanoTime() - t0;
    System.out.printf(
        "enroll agents=%d (3 real servers)  enrolled: p50=%s p95=%s max=%s  first config (registered, workload cert, revision >= %d applied): p50=%s p95=%s max=%s  all done in %s%n",
        agents,
        ms(pct(enrolled, 50)),
        ms(pct(enrolled, 95)),
        ms(pct(enrolled, 100)),
        target,
        ms(pct(firstConfig, 50)),
        ms(pct(firstConfig, 95)),
        ms(pct(firstConfig, 100)),
        ms(wall));
    started.forEach(Agent::close);
    pool.shutdownNow();
    cluster.close();
  }

  static void footprint(int services, int endpoints, String heap, Path work) throws Exception {
    ControlCluster cluster = ControlCluster.start(work.resolve("cluster"));
    seed(cluster, 100, endpoints);
    List<Resource> local = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      local.add(Resources.service("local", "svc-" + s));
    }
    cluster.apply(local.toArray(new Resource[0]));
    int adminPort;
    try (ServerSocket s = new ServerSocket(0)) {
      adminPort = s.getLocalPort();
    }
    StringBuilder yaml = new StringBuilder();
    yaml.append("node: footprint\nservers: [")
        .append(
            cluster.addresses().stream().map(Object::toString).collect(Collectors.joining(", ")))
        .append("]\ndata-dir: ")
        .append(work.resolve("data"))
        .append("\nadmin-port: ")
        .append(adminPort)
        .append("\nservices:\n");
    for (int s = 0; s < services; s++) {
      yaml.append("  - {name: svc-")
          .append(s)
          .append(", namespace: local, protocol: http, app-port: ")
          .append(30000 + s)
          .append(", inbound-port: ")
          .append(31000 + s)
          .append("}\n");
    }
    Files.createDirectories(work);
    Path config = work.resolve("agent.yaml");
    Files.writeString(config, yaml);
    String token = cluster.token(1, Duration.ofMinutes(10));

    // With -Dbench.cds=true the first run writes an AppCDS archive of the classes it loaded and
    // the cold start maps it instead of loading and verifying those classes again.
    boolean cds = Boolean.getBoolean("bench.cds");
    Path archive = work.resolve("agent.jsa");
    String firstFlags = cds ? heap + " -XX:ArchiveClassesAtExit=" + archive : heap;
    String secondFlags = cds ? heap + " -XX:SharedArchiveFile=" + archive : heap;
    Process agent = launch(firstFlags, config, token, work.resolve("agent-1.log"));
    Runtime.getRuntime().addShutdownHook(new Thread(agent::destroyForcibly));
    long target = revision(cluster);
    JsonNode status = null;
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      status = status(adminPort);
      if (status != null
          && status.path("applied_revision").asLong() >= target
          && "serving".equals(status.path("data_plane").asText())) {
        break;
      }
      Thread.sleep(50);
    }
    if (status == null || status.path("applied_revision").asLong() < target) {
      System.out.println(String.join("\n", Files.readAllLines(work.resolve("agent-1.log"))));
      throw new IllegalStateException("agent did not come up (its log is above)");
    }
    Thread.sleep(3000); // let start-up garbage settle and the JIT quiet down
    System.gc();
    long rss = rssKiB(agent.pid());
    System.out.printf(
        "footprint local_services=%d remote_endpoints=%d resources=%d heap_flags=\"%s\"  agent RSS=%.1f MiB (data plane: %s)%n",
        services,
        endpoints,
        status.path("resource_count").asInt(),
        heap,
        rss / 1024.0,
        status.path("data_plane").asText());
    if (heap.contains("NativeMemoryTracking")) {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(agent.pid()),
                  "VM.native_memory",
                  "summary")
              .redirectErrorStream(true)
              .start();
      System.out.println(
          new String(
              jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
    JsonNode last = status(adminPort);
    long applied = (last != null ? last : status).path("applied_revision").asLong();
    agent.destroy();
    agent.waitFor();
    cluster.stopAll();

    long t0 = System.nanoTime();
    Process again = launch(secondFlags, config, null, work.resolve("agent-2.log"));
    Runtime.getRuntime().addShutdownHook(new Thread(again::destroyForcibly));
    long served = -1;
    deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode s = status(adminPort);
      if (s != null
          && s.path("applied_revision").asLong() == applied
          && "serving".equals(s.path("data_plane").asText())) {
        served = System.nanoTime() - t0;
        break;
      }
      Thread.sleep(10);
    }
    System.out.printf(
        "cold start from cache, no control server%s: process start to serving revision %d = %s%n",
        cds ? " (AppCDS archive)" : "",
        applied,
        served < 0 ? "did not serve within 1 min" : ms(served));
    for (String line : Files.readAllLines(work.resolve("agent-2.log"))) {
      if (Boolean.getBoolean("bench.verbose") || line.contains("jvm_uptime_ms")) {
        System.out.println("  agent log: " + line);
      }
    }
    again.destroy();
    again.waitFor();
    cluster.close();
  }

  private static Process launch(String heap, Path config, String token, Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : heap.split(" ", -1)) {
      if (!flag.isBlank()) {
        cmd.add(flag);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.raftmesh.agent.cli.AgentMain");
    cmd.add("agent");
    cmd.add("--config");
    cmd.add(config.toString());
    if (token != null) {
      cmd.add("--join");
      cmd.add(token);
    }
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static JsonNode status(int port) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static long rssKiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static String ms(long nanos) {
    return String.format("%.0f ms", nanos / 1e6);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
