package io.raftmesh.chaos.process;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process started by a {@link ProcessSupervisor}. Faults act on the whole process tree (the
 * process and its descendants), so a wrapper shell in between does not hide the real target.
 */
public final class SupervisedProcess {
  private static final Logger log = LoggerFactory.getLogger(SupervisedProcess.class);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);

  private final ProcessSpec spec;
  private final Process process;
  private volatile boolean paused;

  SupervisedProcess(ProcessSpec spec, Process process) {
    this.spec = spec;
    this.process = process;
  }

  /** What was started. */
  public ProcessSpec spec() {
    return spec;
  }

  /** The spec's name. */
  public String name() {
    return spec.name();
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** The process handle. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Whether the process is running (paused counts as running). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Whether {@link #pause()} was called without a {@link #resume()} since. */
  public boolean isPaused() {
    return paused;
  }

  /** The exit code once the process has exited (128 + signal when a signal killed it). */
  public OptionalInt exitCode() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  /** Waits up to {@code timeout} for the process to exit; returns whether it did. */
  public boolean waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The PIDs of the process tree, descendants first. */
  public List<Long> tree() {
    List<Long> pids = new ArrayList<>();
    process.descendants().forEach(h -> pids.add(h.pid()));
    java.util.Collections.reverse(pids);
    pids.add(process.pid());
    return pids;
  }

  /** SIGKILL to the whole tree: a crash. Waits until the process has exited. */
  public void kill() throws IOException {
    List<ProcessHandle> all = new ArrayList<>();
    process.descendants().forEach(all::add);
    all.add(process.toHandle());
    log.info("kill process={} pid={} tree={}", name(), pid(), all.size());
    for (ProcessHandle h : all) {
      h.destroyForcibly();
    }
    paused = false;
    awaitExit();
  }

  /** SIGSTOP to the whole tree: the process stops being scheduled until {@link #resume()}. */
  public void pause() throws IOException {
    List<Long> pids = tree();
    log.info("pause process={} pid={} tree={}", name(), pid(), pids.size());
    Signals.send(Signal.STOP, pids);
    paused = true;
  }

  /** SIGCONT to the whole tree. */
  public void resume() throws IOException {
    List<Long> pids = tree();
    log.info("resume process={} pid={} tree={}", name(), pid(), pids.size());
    Signals.send(Signal.CONT, pids);
    paused = false;
  }

  /**
   * Stops the process: resumes it if paused, sends SIGTERM, and after {@code grace} SIGKILLs the
   * whole tree. Returns once the process has exited.
   */
  public void stop(Duration grace) throws IOException {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> descendants = new ArrayList<>();
    process.descendants().forEach(descendants::add);
    if (paused) {
      resume();
    }
    process.destroy();
    boolean exited;
    try {
      exited = process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exited = false;
    }
    if (!exited) {
      log.warn("process={} pid={} ignored SIGTERM for {}; killing", name(), pid(), grace);
    }
    for (ProcessHandle h : descendants) {
      h.destroyForcibly(); // orphans of a wrapper must not outlive the run
    }
    if (!exited) {
      process.destroyForcibly();
      awaitExit();
    }
    log.info("stopped process={} pid={} exit={}", name(), pid(), process.exitValue());
  }

  private void awaitExit() throws IOException {
    try {
      if (!process.waitFor(EXIT_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new IOException(
            "process " + name() + " pid " + pid() + " did not exit after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for process " + name() + " to exit", e);
    }
  }

  @Override
  public String toString() {
    return "SupervisedProcess{" + name() + " pid=" + pid() + (paused ? " paused" : "") + "}";
  }
}
