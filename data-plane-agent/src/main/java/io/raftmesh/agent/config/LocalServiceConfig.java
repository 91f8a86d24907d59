package io.raftmesh.agent.config;

import static java.util.Objects.requireNonNull;

import io.raftmesh.proto.v1.Protocol;
import java.util.List;
import java.util.Map;

/**
 * A service instance that runs on this node, as the config file describes it.
 *
 * @param namespace the service's namespace
 * @param name the service's name (a {@code Service} of that name must exist in the mesh)
 * @param protocol what the application speaks
 * @param appAddress where the application listens (normally loopback)
 * @param appPort the application's port
 * @param inboundPort the port of the proxy's inbound mutual-TLS listener (the endpoint's port)
 * @param outboundPort the loopback port of the proxy's HTTP listener for this service's HTTP
 *     upstreams, 0 when it has none
 * @param labels endpoint labels (e.g. {@code version: v2}) that subsets select on
 * @param weight load-balancing weight, at least 1
 * @param locality {@code region/zone}, or empty
 * @param health the health check
 * @param upstreams the services it calls
 */
public record LocalServiceConfig(
    String namespace,
    String name,
    Protocol protocol,
    String appAddress,
    int appPort,
    int inboundPort,
    int outboundPort,
    Map<String, String> labels,
    int weight,
    String locality,
    HealthCheckConfig health,
    List<UpstreamConfig> upstreams) {

  /** Copies the collections and checks the parts. */
  public LocalServiceConfig {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(protocol, "protocol");
    requireNonNull(appAddress, "appAddress");
    requireNonNull(locality, "locality");
    requireNonNull(health, "health");
    labels = Map.copyOf(labels);
    upstreams = List.copyOf(upstreams);
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
    }
  }

  /** {@code namespace/name}. */
  public String qualifiedName() {
    return namespace + "/" + name;
  }
}
