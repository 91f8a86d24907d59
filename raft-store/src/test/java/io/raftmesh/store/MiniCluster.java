package io.raftmesh.store;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A test fixture: N real store members (real Ratis servers on loopback ports, real RocksDB in a
 * temp dir) in this JVM, which a test can stop, kill, restart and wipe one by one. Shared with
 * other modules through raft-store's test-jar.
 *
 * <p>In one JVM, "kill" closes the member without any extra flush or snapshot (the store never
 * relies on one); use separate processes for a real {@code kill -9}.
 */
public final class MiniCluster implements AutoCloseable {
  private final Path root;
  private final Map<String, String> peers;
  private final UnaryOperator<StoreConfig.Builder> customizer;
  private final Map<String, StoreMember> running = new LinkedHashMap<>();
  private final Map<String, StoreConfig> configs = new LinkedHashMap<>();

  private MiniCluster(Path root, Map<String, String> peers, UnaryOperator<StoreConfig.Builder> c) {
    this.root = root;
    this.peers = peers;
    this.customizer = c;
  }

  /** Test defaults: timeouts that tolerate a busy 2-core machine, small enough to be quick. */
  public static StoreConfig.Builder testDefaults(StoreConfig.Builder b) {
    return b.electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600))
        .rpcTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(15));
  }

  /** Starts {@code size} members n1..nN under {@code root} with the test defaults. */
  public static MiniCluster start(int size, Path root) {
    return start(size, root, UnaryOperator.identity());
  }

  /** Starts {@code size} members, each config passed through {@code customizer} after defaults. */
  public static MiniCluster start(
      int size, Path root, UnaryOperator<StoreConfig.Builder> customizer) {
    Map<String, String> peers = new LinkedHashMap<>();
    for (int i = 1; i <= size; i++) {
      peers.put("n" + i, "127.0.0.1:" + freePort());
    }
    MiniCluster cluster = new MiniCluster(root, peers, customizer);
    try {
      for (String id : peers.keySet()) {
        cluster.restart(id);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * Restores {@code backup} (taken at {@code revision}) into fresh data dirs for {@code size}
   * members, then starts them.
   */
  public static MiniCluster startRestored(
      int size, Path root, long revision, java.util.Collection<KeyValue> backup) {
    Map<String, String> peers = new LinkedHashMap<>();
    for (int i = 1; i <= size; i++) {
      peers.put("n" + i, "127.0.0.1:" + freePort());
    }
    MiniCluster cluster = new MiniCluster(root, peers, UnaryOperator.identity());
    for (String id : peers.keySet()) {
      StoreRestore.restore(cluster.config(id), revision, backup.iterator());
    }
    try {
      for (String id : peers.keySet()) {
        cluster.restart(id);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** A free TCP port on loopback (closed again; a small race is accepted in tests). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Member ids to addresses (the initial configuration). */
  public Map<String, String> peers() {
    return Map.copyOf(peers);
  }

  /** The data dir of member {@code id}. */
  public Path dataDir(String id) {
    return root.resolve(id);
  }

  /** The config member {@code id} starts with. */
  public StoreConfig config(String id) {
    return configs.computeIfAbsent(
        id, k -> customizer.apply(testDefaults(StoreConfig.builder(k, peers, dataDir(k)))).build());
  }

  /** A running member. */
  public StoreMember member(String id) {
    StoreMember m = running.get(id);
    if (m == null) {
      throw new IllegalStateException("member " + id + " is not running");
    }
    return m;
  }

  /** The running members. */
  public List<StoreMember> members() {
    return List.copyOf(running.values());
  }

  /** Waits (bounded) for a leader that is ready, as seen by the running members. */
  public StoreMember leader() {
    return leader(Duration.ofSeconds(20));
  }

  /** Waits up to {@code timeout} for a ready leader among the running members. */
  public StoreMember leader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (StoreMember m : running.values()) {
        MemberStatus s = m.status();
        if (s.role() == MemberRole.LEADER && s.leaderReady()) {
          return m;
        }
      }
      sleep(20);
    }
    throw new AssertionError("no ready leader within " + timeout + " among " + running.keySet());
  }

  /** The running members that are not {@code leader}. */
  public List<StoreMember> others(StoreMember leader) {
    List<StoreMember> out = new ArrayList<>(running.values());
    out.remove(leader);
    return out;
  }

  /** Stops a member, keeping its data. */
  public void stop(String id) {
    StoreMember m = running.remove(id);
    if (m != null) {
      m.close();
    }
  }

  /** In one JVM the same as {@link #stop}: the store takes no snapshot or flush at close. */
  public void kill(String id) {
    stop(id);
  }

  /** (Re)starts a member on its data dir. */
  public StoreMember restart(String id) {
    stop(id);
    StoreMember m = StoreMember.start(config(id));
    running.put(id, m);
    return m;
  }

  /** Stops a member and deletes its data dir. */
  public void wipe(String id) {
    stop(id);
    deleteTree(dataDir(id));
  }

  /** Starts a new member in join mode (add it with {@link Membership#addMember}). */
  public StoreMember startJoining(String id) {
    Map<String, String> all = new LinkedHashMap<>(peers);
    all.put(id, "127.0.0.1:" + freePort());
    StoreConfig c =
        customizer
            .apply(testDefaults(StoreConfig.builder(id, all, dataDir(id))).joinExisting(true))
            .build();
    configs.put(id, c);
    StoreMember m = StoreMember.start(c);
    running.put(id, m);
    return m;
  }

  /** Every key of member {@code id} at its current revision (with all revisions). */
  public Dump dump(String id) {
    try (Backup b = member(id).openBackup()) {
      Map<ByteString, KeyValue> kvs = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
      b.forEachRemaining(kv -> kvs.put(kv.getKey(), kv));
      return new Dump(b.revision(), b.compactRevision(), kvs);
    }
  }

  /** A full dump of one replica. */
  public record Dump(long revision, long compactRevision, Map<ByteString, KeyValue> kvs) {}

  /** Waits (bounded) until every running member has applied at least {@code revision}. */
  public void awaitRevision(long revision, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (StoreMember m : running.values()) {
      while (m.status().revision() < revision) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              m.id() + " at revision " + m.status().revision() + " (expected: " + revision + ")");
        }
        sleep(10);
      }
    }
  }

  /** Finds a running member by role. */
  public Optional<StoreMember> find(MemberRole role) {
    return running.values().stream().filter(m -> m.status().role() == role).findFirst();
  }

  @Override
  public void close() {
    for (String id : List.copyOf(running.keySet())) {
      try {
        stop(id);
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
