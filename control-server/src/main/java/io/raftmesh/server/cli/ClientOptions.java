package io.raftmesh.server.cli;

import io.raftmesh.server.tls.TlsDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * How admin commands reach the cluster: {@code --servers} (env {@code RAFTMESH_SERVERS}), {@code
 * --tls-dir} with the admin's certificate (env {@code RAFTMESH_TLS_DIR}, as {@code ca init} wrote
 * it under {@code admin/}), and a per-call {@code --timeout}.
 */
final class ClientOptions {

  @Option(
      names = "--servers",
      split = ",",
      description = "Control servers' gRPC addresses host:port,... (env RAFTMESH_SERVERS).")
  List<String> servers = new ArrayList<>();

  @Option(
      names = "--tls-dir",
      description =
          "Directory with tls.crt, tls.key and trust-bundle.pem of an admin (env RAFTMESH_TLS_DIR).")
  @Nullable Path tlsDir;

  @Option(
      names = "--timeout",
      defaultValue = "10s",
      description = "Deadline of each call, with a unit (default: ${DEFAULT-VALUE}).")
  String timeout = "10s";

  private @Nullable CliContext context;

  void context(CliContext context) {
    this.context = context;
  }

  CliContext contextOrThrow() {
    if (context == null) {
      throw new IllegalStateException("client options used outside a command run");
    }
    return context;
  }

  Duration deadline() {
    return CliValues.duration("--timeout", timeout);
  }

  /** The TLS material, read and checked. */
  TlsDir tls() {
    if (tlsDir == null) {
      throw new UsageException(
          "--tls-dir is not valid: not set (expected: an admin TLS dir from raftmesh ca init, or RAFTMESH_TLS_DIR)");
    }
    try {
      return TlsDir.read(tlsDir);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--tls-dir=" + tlsDir + " is not valid: " + e.getMessage());
    }
  }

  /** Connects to the servers (no call is made yet). */
  ClusterClient connect() {
    if (servers.isEmpty()) {
      throw new UsageException(
          "--servers is not valid: not set (expected: host:port,... of the control servers, or RAFTMESH_SERVERS)");
    }
    for (String s : servers) {
      if (!s.matches("[^:\\s]+:\\d{1,5}") && !s.matches("\\[[0-9a-fA-F:]+\\]:\\d{1,5}")) {
        throw new UsageException(
            "--servers=" + String.join(",", servers) + " is not valid: " + s + " is not host:port");
      }
    }
    if (context == null) {
      throw new IllegalStateException("client options used outside a command run");
    }
    return new ClusterClient(servers, context.channels().apply(this), deadline());
  }
}
