package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One instance of a service: the address of its node's inbound mutual-TLS listener.
 *
 * @param service the service the endpoint belongs to
 * @param address host or IP literal the proxies dial
 * @param port the inbound listener's port
 * @param labels labels that select subsets
 * @param weight relative weight (at least 1)
 * @param routable whether its reported health lets it receive new traffic
 */
public record EndpointConfig(
    ServiceName service,
    String address,
    int port,
    Map<String, String> labels,
    int weight,
    boolean routable) {

  /** Validates the address and port and copies the labels. */
  public EndpointConfig {
    requireNonNull(service, "service");
    requireNonNull(address, "address");
    labels = Map.copyOf(labels);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
    }
  }

  /** Whether the endpoint's labels contain every pair of {@code selector}. */
  public boolean matches(Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** {@code address:port}, the endpoint's identity within its service. */
  public String hostPort() {
    return address + ":" + port;
  }
}
