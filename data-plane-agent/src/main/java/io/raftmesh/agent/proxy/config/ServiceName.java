package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * A mesh service's name within its namespace. Its workload identity is {@code
 * spiffe://<trust-domain>/ns/<namespace>/sa/<name>}.
 *
 * @param namespace the service's namespace
 * @param name the service's name
 */
public record ServiceName(String namespace, String name) {

  /** Validates both parts are non-empty. */
  public ServiceName {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    if (namespace.isEmpty()) {
      throw new IllegalArgumentException("namespace: \"\" (expected: a non-empty namespace)");
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name: \"\" (expected: a non-empty name)");
    }
  }

  /** The SPIFFE ID of this service's workloads in {@code trustDomain}. */
  public String spiffeId(String trustDomain) {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + name;
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
