package io.raftmesh.agent.config;

import static java.util.Objects.requireNonNull;

/**
 * A control server's address, {@code host:port} ({@code [v6]:port} for IPv6 literals).
 *
 * @param host a host name or IP literal (without brackets)
 * @param port 1..65535
 */
public record HostPort(String host, int port) {

  /** Checks the parts. */
  public HostPort {
    requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host: \"\" (expected: a host name or IP address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
  }

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException when the text has no port or a bad one
   */
  public static HostPort parse(String text) {
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new IllegalArgumentException("expected host:port");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("expected host:port ([addr]:port for IPv6)");
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a numeric port");
    }
    return new HostPort(host, port);
  }

  /** The target as gRPC and people write it. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
