package io.raftmesh.server.testing;

import io.grpc.ManagedChannel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.server.runtime.ControlServer;
import io.raftmesh.server.runtime.ServerConfig;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.server.tls.MeshChannels;
import io.raftmesh.server.tls.TlsDir;
import io.raftmesh.store.MemberRole;
import io.raftmesh.store.MemberStatus;
import io.raftmesh.store.ReadConsistency;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * N control servers in this JVM on loopback ports, with certificates minted at test time by the CLI
 * ({@link TestPki}), over real sockets and real mutual TLS. Servers can be stopped and started
 * again on the same ports and data dirs. Close it to stop everything.
 */
public final class TestCluster implements AutoCloseable {
  private final Path dir;
  private final TestPki pki;
  private final MutableClock clock = new MutableClock();
  private final Map<String, ServerConfig> configs = new LinkedHashMap<>();
  private final Map<String, ControlServer> running = new LinkedHashMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private TestCluster(Path dir, TestPki pki) {
    this.dir = dir;
    this.pki = pki;
  }

  /** Starts {@code n} servers n1..nN and waits for a ready leader with the issuer installed. */
  public static TestCluster start(Path dir, int n) {
    return start(dir, n, b -> {});
  }

  /** As {@link #start(Path, int)}, with {@code tune} applied to every server's config. */
  public static TestCluster start(Path dir, int n, Consumer<ServerConfig.Builder> tune) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      ids.add("n" + i);
    }
    TestPki pki = TestPki.create(dir.resolve("pki"), ids);
    TestCluster cluster = new TestCluster(dir, pki);
    Map<String, String> peers = new LinkedHashMap<>();
    Map<String, Integer> grpcPorts = new LinkedHashMap<>();
    for (String id : ids) {
      peers.put(id, "127.0.0.1:" + freePort());
      grpcPorts.put(id, freePort());
    }
    for (String id : ids) {
      ServerConfig.Builder b =
          ServerConfig.builder(
                  id, peers, dir.resolve("data").resolve(id), pki.serverTls(id), pki.kekFile())
              .issuerFile(pki.issuerFile())
              .bindAddress("127.0.0.1")
              .grpcPort(grpcPorts.get(id))
              .metricsPort(0)
              .ackFlushInterval(Duration.ofMillis(200))
              .reaperInterval(Duration.ofMillis(250))
              .handlerThreads(16);
      tune.accept(b);
      cluster.configs.put(id, b.build());
    }
    try {
      for (String id : ids) {
        cluster.startServer(id);
      }
      cluster.awaitLeader();
      cluster.awaitIssuer();
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * A free port below the kernel's ephemeral range (32768+), so an outgoing connection made before
   * a server binds its port cannot have taken it.
   */
  public static int freePort() {
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    IOException last = null;
    for (int i = 0; i < 200; i++) {
      int port = random.nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException e) {
        last = e;
      }
    }
    throw new UncheckedIOException("no free port in 20000..32000", last);
  }

  /** Starts (or restarts) server {@code id} with its config. */
  public ControlServer startServer(String id) {
    ServerConfig config = configs.get(id);
    ControlServer server = ControlServer.start(config, clock, new PrometheusRegistry());
    running.put(id, server);
    return server;
  }

  /** Stops server {@code id} (its data dir stays). */
  public void stop(String id) {
    ControlServer s = running.remove(id);
    if (s != null) {
      s.close();
    }
  }

  public ControlServer server(String id) {
    ControlServer s = running.get(id);
    if (s == null) {
      throw new IllegalStateException("server " + id + " is not running");
    }
    return s;
  }

  public List<String> runningIds() {
    return List.copyOf(running.keySet());
  }

  /** Waits until the running servers agree on a leader that is ready; returns its id. */
  public String awaitLeader() {
    try {
      return awaitReadyLeader();
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; members now: " + statuses(), e);
    }
  }

  private String awaitReadyLeader() {
    return Await.value(
        "a ready leader among " + running.keySet(),
        Duration.ofSeconds(60),
        () -> {
          for (ControlServer s : running.values()) {
            MemberStatus st = s.member().status();
            if (st.role() == MemberRole.LEADER && st.leaderReady()) {
              String leader = st.memberId();
              boolean agreed =
                  running.values().stream()
                      .allMatch(o -> o.member().status().leaderId().equals(Optional.of(leader)));
              return agreed ? leader : null;
            }
          }
          return null;
        });
  }

  /** Each running member's view, for failure messages. */
  public String statuses() {
    StringBuilder sb = new StringBuilder();
    for (ControlServer s : running.values()) {
      MemberStatus st = s.member().status();
      sb.append(st.memberId())
          .append(": ")
          .append(st.role())
          .append(" term=")
          .append(st.term())
          .append(" leader=")
          .append(st.leaderId().orElse("-"))
          .append(" commit=")
          .append(st.commitIndex())
          .append(" applied=")
          .append(st.appliedIndex())
          .append("; ");
    }
    return sb.toString();
  }

  /** Waits until the issuing CA from the issuer file is in the store. */
  public void awaitIssuer() {
    Await.until(
        "the issuer to be installed",
        Duration.ofSeconds(30),
        () ->
            running.values().stream()
                .findFirst()
                .map(
                    s ->
                        s.member()
                            .client()
                            .get(ServerKeys.ISSUER, ReadConsistency.LINEARIZABLE)
                            .orTimeout(5, TimeUnit.SECONDS)
                            .join()
                            .hasKv())
                .orElse(false));
  }

  public String leader() {
    return awaitLeader();
  }

  /** A running server that is not the leader. */
  public String follower() {
    String leader = awaitLeader();
    return running.keySet().stream()
        .filter(id -> !id.equals(leader))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no follower running"));
  }

  public String target(String id) {
    return "127.0.0.1:" + server(id).grpcPort();
  }

  /** A channel to {@code id} with the identity in {@code tls}; closed with the cluster. */
  public ManagedChannel channel(String id, TlsDir tls) {
    ManagedChannel ch = MeshChannels.open(target(id), tls);
    channels.add(ch);
    return ch;
  }

  /** A channel to {@code id} as the first admin. */
  public ManagedChannel admin(String id) {
    return channel(id, pki.admin());
  }

  /** A channel to {@code id} without a client certificate. */
  public ManagedChannel anonymous(String id) {
    ManagedChannel ch =
        MeshChannels.anonymous(target(id), pki.admin().trustBundle(), java.time.Clock.systemUTC());
    channels.add(ch);
    return ch;
  }

  public TestPki pki() {
    return pki;
  }

  public MutableClock clock() {
    return clock;
  }

  public Path dir() {
    return dir;
  }

  public ServerConfig config(String id) {
    return configs.get(id);
  }

  @Override
  public void close() {
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
    for (ControlServer s : running.values()) {
      try {
        s.close();
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
    running.clear();
  }
}
