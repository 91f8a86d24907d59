package io.raftmesh.agent.config;

import static java.util.Objects.requireNonNull;

/**
 * A service a local service calls.
 *
 * @param namespace the destination's namespace
 * @param service the destination's name
 * @param localPort for a TCP upstream, the loopback port of its own outbound listener; 0 for an
 *     HTTP upstream, reached through the local service's outbound HTTP listener by {@code Host}
 */
public record UpstreamConfig(String namespace, String service, int localPort) {

  /** Checks the parts. */
  public UpstreamConfig {
    requireNonNull(namespace, "namespace");
    requireNonNull(service, "service");
    if (localPort < 0 || localPort > 65535) {
      throw new IllegalArgumentException("localPort: " + localPort + " (expected: 0..65535)");
    }
  }

  /** {@code namespace/service}. */
  public String qualifiedName() {
    return namespace + "/" + service;
  }
}
