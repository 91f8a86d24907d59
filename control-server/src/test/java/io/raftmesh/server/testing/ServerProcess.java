package io.raftmesh.server.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** {@code raftmesh server} as a real child process, on this test JVM's classpath. */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ServerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code raftmesh <args>} with extra environment {@code env}; output goes to {@code log}.
   */
  public static ServerProcess start(List<String> args, Map<String, String> env, Path log) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx192m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add("io.raftmesh.server.cli.RaftmeshMain");
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("RAFTMESH_"));
    pb.environment().putAll(env);
    try {
      return new ServerProcess(pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("starting " + cmd, e);
    }
  }

  /**
   * The test JVM's classpath: Surefire and Failsafe may run tests from a manifest-only jar whose
   * Class-Path holds the real entries.
   */
  public static String classpath() {
    String cp = System.getProperty("java.class.path");
    String[] entries = cp.split(File.pathSeparator);
    if (entries.length == 1 && entries[0].endsWith(".jar") && entries[0].contains("surefire")) {
      try (JarFile jar = new JarFile(entries[0])) {
        Manifest m = jar.getManifest();
        List<String> out = new ArrayList<>();
        for (String url : m.getMainAttributes().getValue("Class-Path").split(" ")) {
          if (!url.isBlank()) {
            out.add(Path.of(URI.create(url)).toString());
          }
        }
        return String.join(File.pathSeparator, out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cp;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, then the exit code (or -1 if it did not exit in time). */
  public int terminate() {
    process.destroy();
    return waitFor(60);
  }

  /** SIGKILL. */
  public void kill() {
    process.destroyForcibly();
    waitFor(30);
  }

  public int waitFor(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitFor(30);
    }
  }
}
