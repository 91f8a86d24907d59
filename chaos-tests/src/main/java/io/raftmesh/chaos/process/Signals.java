package io.raftmesh.chaos.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends signals by PID with {@code kill(1)} (Java has no API for SIGSTOP/SIGCONT), and reads a
 * process's scheduler state from {@code /proc}.
 */
public final class Signals {
  private Signals() {}

  /**
   * Sends {@code signal} to each PID.
   *
   * @throws IOException if {@code kill} fails for a reason other than a PID that already exited
   */
  public static void send(Signal signal, List<Long> pids) throws IOException {
    if (pids.isEmpty()) {
      return;
    }
    List<String> argv = new ArrayList<>();
    argv.add("kill");
    argv.add("-" + signal.name());
    for (long pid : pids) {
      argv.add(Long.toString(pid));
    }
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("kill -" + signal + " " + pids + ": timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("kill -" + signal + " " + pids + ": interrupted", e);
    }
    if (p.exitValue() != 0 && !out.contains("No such process")) {
      throw new IOException(
          "kill -" + signal + " " + pids + ": exit " + p.exitValue() + ": " + out);
    }
  }

  /**
   * The state letter from {@code /proc/<pid>/stat} ({@code R}, {@code S}, {@code T} for stopped,
   * {@code Z}...), or {@code '?'} when the process no longer exists.
   */
  public static char state(long pid) throws IOException {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return '?';
    }
    int close = stat.lastIndexOf(')'); // the command name may itself contain spaces or ')'
    if (close < 0 || close + 2 >= stat.length()) {
      throw new IOException("/proc/" + pid + "/stat: unexpected format: " + stat);
    }
    return stat.charAt(close + 2);
  }
}
