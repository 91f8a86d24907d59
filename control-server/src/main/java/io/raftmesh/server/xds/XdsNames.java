package io.raftmesh.server.xds;

/**
 * How mesh resources are named in xDS. A service {@code shop/api} is the listener and route
 * configuration {@code api.shop} (what a proxyless gRPC client dials: {@code xds:///api.shop}), the
 * cluster {@code shop/api} (all its endpoints) and one cluster {@code shop/api/<subset>} per
 * subset; each cluster's ClusterLoadAssignment has the cluster's name.
 */
final class XdsNames {
  private XdsNames() {}

  /** The listener (and route configuration) of a service: {@code <name>.<namespace>}. */
  static String listener(String namespace, String service) {
    return service + "." + namespace;
  }

  /** The cluster of all of a service's endpoints. */
  static String cluster(String namespace, String service) {
    return namespace + "/" + service;
  }

  /** The cluster of one subset of a service's endpoints. */
  static String cluster(String namespace, String service, String subset) {
    return subset.isEmpty()
        ? cluster(namespace, service)
        : cluster(namespace, service) + "/" + subset;
  }
}
