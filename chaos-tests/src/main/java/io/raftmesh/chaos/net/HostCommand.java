package io.raftmesh.chaos.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Runs a short host command (ip, nft, iptables) with a time limit and captures its output. */
final class HostCommand {
  private HostCommand() {}

  /** Runs {@code argv}; a non-zero exit is returned, not thrown. */
  static CommandOutput run(List<String> argv, @Nullable String stdin, Duration timeout)
      throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(String.join(" ", argv) + ": cannot run: " + e.getMessage(), e);
    }
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    InputStream out = p.getInputStream();
    CompletableFuture<byte[]> output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readAllBytes();
              } catch (IOException e) {
                return new byte[0];
              }
            });
    try {
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IOException(String.join(" ", argv) + ": no exit after " + timeout);
      }
      String text = new String(output.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).trim();
      return new CommandOutput(p.exitValue(), text);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException(String.join(" ", argv) + ": interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(String.join(" ", argv) + ": cannot read its output", e);
    }
  }

  /** Runs {@code argv} and fails with its output unless it exits 0. */
  static String check(List<String> argv, Duration timeout) throws IOException {
    CommandOutput r = run(argv, null, timeout);
    if (!r.ok()) {
      throw new IOException(String.join(" ", argv) + ": exit " + r.exitCode() + ": " + r.output());
    }
    return r.output();
  }
}
