package io.raftmesh.chaos.process;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts child processes, appends their output to log files, and stops every one it started when
 * closed, also when the JVM exits without closing it (a shutdown hook). Nothing it did not start is
 * ever signalled.
 *
 * <pre>{@code
 * try (ProcessSupervisor sup = new ProcessSupervisor(Duration.ofSeconds(5))) {
 *   SupervisedProcess n1 = sup.start(ProcessSpec.of("n1", List.of("raftmesh", "server", ...),
 *       runDir.resolve("n1.log")).wrappedBy(network.execPrefix("n1")));
 *   n1.pause(); n1.resume(); n1.kill();
 *   n1 = sup.restart(n1);
 * }
 * }</pre>
 */
public final class ProcessSupervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProcessSupervisor.class);

  private final Duration stopGrace;
  private final List<SupervisedProcess> started = new ArrayList<>();
  private final Thread hook;
  private boolean closed;

  /**
   * A supervisor that gives each process {@code stopGrace} to exit after SIGTERM on close.
   *
   * @throws IllegalArgumentException for a negative grace
   */
  public ProcessSupervisor(Duration stopGrace) {
    requireNonNull(stopGrace, "stopGrace");
    if (stopGrace.isNegative()) {
      throw new IllegalArgumentException("stopGrace: " + stopGrace + " (expected: >= 0)");
    }
    this.stopGrace = stopGrace;
    this.hook = new Thread(this::killAllNow, "process-supervisor-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts a process; its output is appended to the spec's log file after a header line.
   *
   * @throws IOException if it cannot be started
   * @throws IllegalStateException after {@link #close()}
   */
  public synchronized SupervisedProcess start(ProcessSpec spec) throws IOException {
    requireNonNull(spec, "spec");
    if (closed) {
      throw new IllegalStateException("supervisor closed; cannot start " + spec.name());
    }
    Path logFile = spec.logFile().toAbsolutePath();
    if (logFile.getParent() != null) {
      Files.createDirectories(logFile.getParent());
    }
    Files.writeString(
        logFile,
        "=== "
            + Instant.now()
            + " start "
            + spec.name()
            + ": "
            + String.join(" ", spec.argv())
            + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder pb =
        new ProcessBuilder(spec.argv())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    if (spec.workDir() != null) {
      pb.directory(spec.workDir().toFile());
    }
    pb.environment().putAll(spec.env());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException(
          "cannot start " + spec.name() + " (" + spec.argv() + "): " + e.getMessage(), e);
    }
    SupervisedProcess sp = new SupervisedProcess(spec, p);
    started.add(sp);
    log.info("started process={} pid={} log={}", spec.name(), p.pid(), logFile);
    return sp;
  }

  /** Kills {@code old} if it still runs, and starts its spec again (same log file, appended). */
  public SupervisedProcess restart(SupervisedProcess old) throws IOException {
    if (old.isAlive()) {
      old.kill();
    }
    return start(old.spec());
  }

  /** Every process started so far, in start order (including exited ones). */
  public synchronized List<SupervisedProcess> processes() {
    return List.copyOf(started);
  }

  /** Stops every started process that is still alive, newest first. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = started.size() - 1; i >= 0; i--) {
      SupervisedProcess p = started.get(i);
      try {
        p.stop(stopGrace);
      } catch (IOException e) {
        log.error("cannot stop process={} pid={}", p.name(), p.pid(), e);
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs or ran
    }
  }

  /** Shutdown hook: no grace, SIGKILL to every tree still alive. */
  private void killAllNow() {
    List<SupervisedProcess> all;
    synchronized (this) {
      all = List.copyOf(started);
    }
    for (SupervisedProcess p : all) {
      if (p.isAlive()) {
        p.handle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.handle().destroyForcibly();
      }
    }
  }
}
