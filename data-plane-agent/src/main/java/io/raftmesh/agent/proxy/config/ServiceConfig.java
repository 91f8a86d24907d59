package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything the proxy knows about one service: its protocol, endpoints, subsets, routes and
 * policies.
 *
 * @param name the service
 * @param protocol the application protocol
 * @param endpoints all its endpoints, routable or not
 * @param subsets named label selectors
 * @param routes ordered HTTP routes (from its TrafficRoute); empty for the default route
 * @param tcpSplit weighted split of TCP connections; empty for all endpoints
 * @param destination load balancing and protection
 * @param authorization who may call it; null when no AuthorizationPolicy names it
 */
public record ServiceConfig(
    ServiceName name,
    AppProtocol protocol,
    List<EndpointConfig> endpoints,
    Map<String, Map<String, String>> subsets,
    List<HttpRouteConfig> routes,
    List<WeightedTargetConfig> tcpSplit,
    DestinationConfig destination,
    @Nullable AuthorizationConfig authorization) {

  /** Copies the collections. */
  public ServiceConfig {
    requireNonNull(name, "name");
    requireNonNull(protocol, "protocol");
    requireNonNull(destination, "destination");
    endpoints = List.copyOf(endpoints);
    subsets = Map.copyOf(subsets);
    routes = List.copyOf(routes);
    tcpSplit = List.copyOf(tcpSplit);
  }

  /** The first route that takes {@code request}, or null for the default (all endpoints). */
  public @Nullable HttpRouteConfig route(HttpRequest request) {
    for (int i = 0; i < routes.size(); i++) {
      HttpRouteConfig r = routes.get(i);
      if (r.test(request)) {
        return r;
      }
    }
    return null;
  }
}
