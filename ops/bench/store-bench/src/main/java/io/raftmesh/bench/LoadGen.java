package io.raftmesh.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Drives one store (raftmesh or etcd) through the same workload and prints {@code RESULT <name>
 * <value>} lines: sequential put latency (1 client), put throughput at 1, 16 and 64 concurrent
 * callers, linearizable get throughput at 64, and failover time after a {@code kill -9} of the
 * leader. Each caller is a thread issuing one request at a time through one shared client object,
 * for both stores. Every loop is bounded in count or time.
 *
 * <pre>
 * LoadGen --target=raftmesh --peers=n1=127.0.0.1:p,... --status=f1,f2,f3 [--seq=N --seconds=S]
 * LoadGen --target=etcd --endpoints=http://127.0.0.1:p,... --pids=http://...=pid,... [...]
 * </pre>
 */
public final class LoadGen {
  private static final int VALUE_BYTES = 256;
  private static final int KEY_SPACE = 10_000;

  private final Target target;
  private final byte[] value = new byte[VALUE_BYTES];

  private LoadGen(Target target) {
    this.target = target;
    new Random(42).nextBytes(value);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    int seq = Integer.parseInt(opts.getOrDefault("seq", "2000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "8"));
    Target target;
    if ("raftmesh".equals(opts.get("target"))) {
      Map<String, String> peers = new LinkedHashMap<>();
      for (String p : required(opts, "peers").split(",")) {
        String[] kv = p.split("=", 2);
        peers.put(kv[0], kv[1]);
      }
      List<Path> status = Arrays.stream(required(opts, "status").split(",")).map(Path::of).toList();
      target = new RaftmeshTarget(peers, status);
    } else if ("etcd".equals(opts.get("target"))) {
      Map<String, Long> pids = new LinkedHashMap<>();
      for (String p : required(opts, "pids").split(",")) {
        int at = p.lastIndexOf('=');
        pids.put(p.substring(0, at), Long.parseLong(p.substring(at + 1)));
      }
      target = new EtcdTarget(List.of(required(opts, "endpoints").split(",")), pids);
    } else {
      throw new IllegalArgumentException(
          "--target: " + opts.get("target") + " (expected: raftmesh or etcd)");
    }
    try (target) {
      new LoadGen(target).run(seq, seconds, !opts.containsKey("no-failover"));
    }
    System.exit(0);
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + ": missing");
    }
    return v;
  }

  static byte[] key(long i) {
    // ~32-byte keys, as in the workload
    return String.format(Locale.ROOT, "/bench/key/%021d", i % KEY_SPACE)
        .getBytes(StandardCharsets.UTF_8);
  }

  private void run(int seqOps, int seconds, boolean failover) throws Exception {
    String n = target.name();
    // Warm-up (JIT, connections, the key space for the reads): not measured.
    phase(16, Math.max(3, seconds / 2), 20_000, i -> target.put(key(i), value));
    for (long i = 0; i < KEY_SPACE; i += 64) {
      target.put(key(i), value).get(30, TimeUnit.SECONDS);
    }

    Stats seq = phase(1, 600, seqOps, i -> target.put(key(i), value));
    print(n, "seq_put_p50_ms", seq.percentileMs(50));
    print(n, "seq_put_p99_ms", seq.percentileMs(99));
    for (int clients : new int[] {1, 16, 64}) {
      Stats s = phase(clients, seconds, Long.MAX_VALUE, i -> target.put(key(i), value));
      print(n, "put_" + clients + "_ops_per_s", s.opsPerSecond());
      print(n, "put_" + clients + "_p99_ms", s.percentileMs(99));
    }
    Stats gets = phase(64, seconds, Long.MAX_VALUE, i -> target.get(key(i * 64)));
    print(n, "get_64_ops_per_s", gets.opsPerSecond());
    print(n, "get_64_p99_ms", gets.percentileMs(99));
    if (failover) {
      print(n, "failover_ms", failover());
    }
  }

  /** {@code clients} threads, each issuing one request at a time, for a time or an op budget. */
  private Stats phase(
      int clients,
      int seconds,
      long maxOps,
      Function<Long, java.util.concurrent.CompletableFuture<?>> op)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong issued = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<long[]> perThread = new ArrayList<>();
    List<int[]> counts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      long[] lat = new long[1 << 20];
      int[] count = new int[1];
      perThread.add(lat);
      counts.add(count);
      Thread t =
          new Thread(
              () -> {
                Random r = new Random();
                while (System.nanoTime() < deadline) {
                  long i = issued.getAndIncrement();
                  if (i >= maxOps) {
                    return;
                  }
                  long t0 = System.nanoTime();
                  try {
                    op.apply((long) r.nextInt(KEY_SPACE)).get(30, TimeUnit.SECONDS);
                    if (count[0] < lat.length) {
                      lat[count[0]++] = System.nanoTime() - t0;
                    }
                  } catch (Exception e) {
                    errors.incrementAndGet();
                  }
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long elapsed = System.nanoTime() - start;
    int total = counts.stream().mapToInt(c -> c[0]).sum();
    long[] all = new long[total];
    int at = 0;
    for (int i = 0; i < perThread.size(); i++) {
      System.arraycopy(perThread.get(i), 0, all, at, counts.get(i)[0]);
      at += counts.get(i)[0];
    }
    Arrays.sort(all);
    if (errors.get() > 0) {
      System.err.println(target.name() + ": " + errors.get() + " failed requests in a phase");
    }
    return new Stats(all, elapsed);
  }

  /**
   * Kills the leader with SIGKILL while one caller writes in a loop; returns the milliseconds from
   * the kill to the first write acknowledged after it.
   */
  private double failover() throws Exception {
    Optional<Long> leader = Optional.empty();
    for (int i = 0; i < 100 && leader.isEmpty(); i++) {
      leader = target.leaderPid();
      if (leader.isEmpty()) {
        Thread.sleep(100);
      }
    }
    long pid = leader.orElseThrow(() -> new IllegalStateException("no leader found"));
    AtomicLong killedAt = new AtomicLong();
    AtomicLong firstAckAfterKill = new AtomicLong();
    Thread writer =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
              long i = 0;
              while (firstAckAfterKill.get() == 0 && System.nanoTime() < deadline) {
                byte[] k = key(i++);
                String requestId = io.raftmesh.store.StoreClient.newRequestId();
                long issuedAt = System.nanoTime();
                try {
                  if (target instanceof RaftmeshTarget rm) {
                    rm.put(requestId, k, value).get(30, TimeUnit.SECONDS);
                  } else {
                    target.put(k, value).get(30, TimeUnit.SECONDS);
                  }
                  long now = System.nanoTime();
                  long killed = killedAt.get();
                  // Only a write issued after the kill proves the new leader serves.
                  if (killed != 0 && issuedAt > killed) {
                    firstAckAfterKill.compareAndSet(0, now);
                  }
                } catch (Exception e) {
                  // keep writing: the new leader will take it
                }
              }
            });
    writer.start();
    Thread.sleep(1000);
    ProcessHandle victim =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("leader pid " + pid + " gone"));
    killedAt.set(System.nanoTime());
    victim.destroyForcibly(); // SIGKILL
    writer.join(TimeUnit.SECONDS.toMillis(70));
    long ack = firstAckAfterKill.get();
    if (ack == 0) {
      return Double.NaN;
    }
    return (ack - killedAt.get()) / 1e6;
  }

  private static void print(String target, String name, double value) {
    System.out.printf(Locale.ROOT, "RESULT %s %s %.3f%n", target, name, value);
    System.out.flush();
  }

  /** Latencies (sorted, nanoseconds) of one phase and its wall time. */
  record Stats(long[] sortedNanos, long elapsedNanos) {
    double opsPerSecond() {
      return sortedNanos.length / (elapsedNanos / 1e9);
    }

    double percentileMs(double p) {
      if (sortedNanos.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100 * sortedNanos.length) - 1);
      return sortedNanos[Math.max(0, i)] / 1e6;
    }
  }
}
