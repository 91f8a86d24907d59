package io.raftmesh.chaos.cli;

import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.cluster.ClusterOptions;
import io.raftmesh.chaos.cluster.ContainerCluster;
import io.raftmesh.chaos.cluster.Distribution;
import io.raftmesh.chaos.cluster.ProcessCluster;
import io.raftmesh.chaos.failpoint.FaultKind;
import io.raftmesh.chaos.scenarios.NemesisConfig;
import io.raftmesh.chaos.workload.ChaosRun;
import io.raftmesh.chaos.workload.ChaosWorkload;
import io.raftmesh.chaos.workload.DeltaWorkload;
import io.raftmesh.chaos.workload.IdentityWorkload;
import io.raftmesh.chaos.workload.RegisterWorkload;
import io.raftmesh.chaos.workload.SetWorkload;
import io.raftmesh.chaos.workload.TrafficWorkload;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ops/chaos.sh}: long chaos runs for people. For each workload a fresh cluster, the run, one
 * summary line on stdout; exit 0 when every workload is valid, 1 when one is invalid or unknown, 2
 * on a harness error, 64 on bad usage.
 *
 * <pre>
 * chaos.sh --workload register|set|deltas|identity|traffic|all --nemesis kill,pause,partition,...
 *          --time SECONDS --nodes 3|5 [--backend processes|containers] [--seed N]
 *          [--store DIR] [--dist DIR] [--network auto|namespaces|loopback]
 * </pre>
 */
public final class ChaosMain {
  static final List<String> WORKLOADS = List.of("register", "set", "deltas", "identity", "traffic");

  private ChaosMain() {}

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> opts;
    try {
      opts = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("chaos: " + e.getMessage());
      err.println(usage());
      return 64;
    }
    if (opts.containsKey("help")) {
      out.println(usage());
      return 0;
    }
    try {
      List<String> workloads = workloads(opts.getOrDefault("workload", "all"));
      Set<FaultKind> faults =
          NemesisConfig.parseFaults(opts.getOrDefault("nemesis", "kill,pause,partition"));
      Duration time = Duration.ofSeconds(positive("time", opts.getOrDefault("time", "60")));
      int nodes = (int) positive("nodes", opts.getOrDefault("nodes", "3"));
      if (nodes != 3 && nodes != 5) {
        throw new IllegalArgumentException("--nodes: " + nodes + " (expected: 3 or 5)");
      }
      long seed =
          Long.parseLong(opts.getOrDefault("seed", Long.toString(System.nanoTime() % 100_000)));
      Path store = Path.of(opts.getOrDefault("store", "chaos-store"));
      String backend = opts.getOrDefault("backend", "processes");
      if (!backend.equals("processes") && !backend.equals("containers")) {
        throw new IllegalArgumentException(
            "--backend: " + backend + " (expected: processes or containers)");
      }
      ClusterOptions.NetworkMode network = networkMode(opts.getOrDefault("network", "auto"));
      String distDir = opts.get("dist");
      if (distDir == null) {
        throw new IllegalArgumentException(
            "--dist: missing (expected: the distribution directory)");
      }
      Distribution dist = Distribution.at(Path.of(distDir));
      boolean allValid = true;
      for (String w : workloads) {
        if (w.equals("traffic") && backend.equals("containers")) {
          out.println("traffic: unknown (the traffic workload needs the processes backend)");
          allValid = false;
          continue;
        }
        String stamp =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC)
                .format(Clock.systemUTC().instant());
        ClusterOptions co =
            ClusterOptions.of(nodes, store.resolve("clusters").resolve(w + "-" + stamp), dist)
                .withNetwork(network);
        try (Cluster cluster =
            backend.equals("containers") ? ContainerCluster.start(co) : ProcessCluster.start(co)) {
          ChaosRun.Result r =
              ChaosRun.run(
                  cluster,
                  workload(w, seed),
                  new ChaosRun.Options(faults, time, Duration.ofSeconds(5), 6, 10, seed, store));
          String skipped = r.skippedFaults().isEmpty() ? "" : " skipped " + r.skippedFaults();
          out.println(r.summary() + skipped + "  " + r.folder());
          allValid &= r.valid();
        }
      }
      return allValid ? 0 : 1;
    } catch (IllegalArgumentException e) {
      err.println("chaos: " + e.getMessage());
      return 64;
    } catch (Exception e) {
      err.println("chaos: " + e);
      e.printStackTrace(err);
      return 2;
    }
  }

  static ChaosWorkload workload(String name, long seed) {
    Duration request = Duration.ofSeconds(3);
    return switch (name) {
      case "register" -> new RegisterWorkload(5, request);
      case "set" -> new SetWorkload(request);
      case "deltas" -> new DeltaWorkload(8, 3, request, seed);
      case "identity" -> new IdentityWorkload(50, request);
      case "traffic" -> new TrafficWorkload(request, 0);
      default -> throw new IllegalArgumentException("--workload: " + name);
    };
  }

  static List<String> workloads(String spec) {
    if (spec.equals("all")) {
      return WORKLOADS;
    }
    List<String> out = new ArrayList<>();
    for (String w : spec.split(",", -1)) {
      if (!WORKLOADS.contains(w)) {
        throw new IllegalArgumentException(
            "--workload: " + w + " (expected: one of " + WORKLOADS + " or all)");
      }
      out.add(w);
    }
    return out;
  }

  static ClusterOptions.NetworkMode networkMode(String s) {
    return switch (s) {
      case "auto" -> ClusterOptions.NetworkMode.AUTO;
      case "namespaces" -> ClusterOptions.NetworkMode.NAMESPACES;
      case "loopback" -> ClusterOptions.NetworkMode.LOOPBACK;
      default ->
          throw new IllegalArgumentException(
              "--network: " + s + " (expected: auto, namespaces or loopback)");
    };
  }

  static long positive(String name, String value) {
    try {
      long v = Long.parseLong(value);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--" + name + ": " + value + " (expected: a positive integer)");
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        out.put("help", "");
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + a);
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + ": missing value");
      }
      if (!List.of(
              "workload", "nemesis", "time", "nodes", "backend", "seed", "store", "dist", "network")
          .contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
      out.put(name, value);
    }
    return out;
  }

  static String usage() {
    return "usage: chaos.sh --workload register|set|deltas|identity|traffic|all"
        + " --nemesis kill,pause,partition,slow-network,lossy-network,restart-all"
        + " --time SECONDS --nodes 3|5 [--backend processes|containers] [--seed N]"
        + " [--store DIR] [--network auto|namespaces|loopback]";
  }
}
