package io.raftmesh.chaos.cluster;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution ({@code ops/target/raftmesh-<version>/raftmesh-<version>}): its {@code
 * bin/raftmesh} launcher runs servers, agents and the operator CLI.
 *
 * @param home the distribution's root directory (holds {@code bin/raftmesh})
 * @param javaOpts JVM options for every process it starts ({@code RAFTMESH_JAVA_OPTS})
 */
public record Distribution(Path home, String javaOpts) {
  /** JVM options small enough for several servers on a shared 2-core machine. */
  public static final String SMALL_JVM =
      "-Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData";

  /** Rejects nulls. */
  public Distribution {
    requireNonNull(home, "home");
    requireNonNull(javaOpts, "javaOpts");
  }

  /**
   * The distribution at {@code home}.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  public static Distribution at(Path home) {
    Path launcher = home.resolve("bin").resolve("raftmesh");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalArgumentException(
          "distribution: "
              + home
              + " (expected: a directory holding bin/raftmesh, built by mvn package -pl ops -am)");
    }
    return new Distribution(home.toAbsolutePath(), SMALL_JVM);
  }

  /** The launcher. */
  public Path launcher() {
    return home.resolve("bin").resolve("raftmesh");
  }

  /** Whether this distribution has the agent ({@code lib/agent}). */
  public boolean hasAgent() {
    return Files.isDirectory(home.resolve("lib").resolve("agent"));
  }

  /** {@code bin/raftmesh <args>}. */
  public List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher().toString());
    cmd.addAll(args);
    return cmd;
  }

  /** The environment every process of the distribution gets. */
  public Map<String, String> environment() {
    return Map.of("JAVA", JvmCommand.javaBinary(), "RAFTMESH_JAVA_OPTS", javaOpts);
  }

  /**
   * Runs an operator command ({@code ca init ...}) to completion.
   *
   * @return its output
   * @throws IOException if it fails or does not finish within {@code timeout}, with its output
   */
  public String run(List<String> args, Path log, Duration timeout) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("RAFTMESH_"));
    pb.environment().putAll(environment());
    Process p = pb.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            "raftmesh "
                + String.join(" ", args)
                + " did not finish in "
                + timeout
                + ": "
                + tail(log));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running raftmesh " + args, e);
    }
    String out = Files.readString(log);
    if (p.exitValue() != 0) {
      throw new IOException(
          "raftmesh " + String.join(" ", args) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  /** The last lines of a log file, for error messages. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
