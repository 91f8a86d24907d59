package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * A share of a route's traffic.
 *
 * @param service the destination service
 * @param subset the subset's name; empty for all endpoints
 * @param weight the share in percent
 */
public record WeightedTargetConfig(ServiceName service, String subset, int weight) {

  /** Requires the service and subset. */
  public WeightedTargetConfig {
    requireNonNull(service, "service");
    requireNonNull(subset, "subset");
  }
}
