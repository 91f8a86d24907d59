package io.raftmesh.server.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.HeaderMatch;
import io.raftmesh.proto.v1.HttpMatch;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.WeightedTarget;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * TrafficRoute to RouteConfiguration, and one API listener per service for proxyless gRPC clients.
 * Each service gets a route configuration named like its listener with one virtual host ({@code
 * *}): its traffic routes' HTTP routes in order (routes of several TrafficRoutes for the same
 * destination follow each other in resource-name order), one Envoy route per match alternative,
 * then a catch-all to the service's cluster (requests that match no route go to all endpoints, as
 * in the mesh's proxy). Fault injection is not translated (it needs the fault filter, which
 * grpc-java supports only partly); TCP splits have no xDS route form.
 */
final class RouteTranslation {
  static final String ROUTER_FILTER = "envoy.filters.http.router";

  private RouteTranslation() {}

  /** Route configurations and listeners, by name. */
  record Output(Map<String, RouteConfiguration> routes, Map<String, Listener> listeners) {}

  static Output translate(MeshResources mesh) {
    Map<String, RouteConfiguration> routes = new TreeMap<>();
    Map<String, Listener> listeners = new TreeMap<>();
    Map<String, List<Resource>> trafficRoutes = mesh.byService(ResourceType.TRAFFIC_ROUTE);
    Map<String, List<Resource>> policies = mesh.byService(ResourceType.DESTINATION_POLICY);
    for (Resource service : mesh.all(ResourceType.SERVICE)) {
      String ns = service.getNamespace();
      String name = XdsNames.listener(ns, service.getName());
      VirtualHost.Builder vh = VirtualHost.newBuilder().setName(name).addDomains("*");
      for (Resource tr : trafficRoutes.getOrDefault(ns + "/" + service.getName(), List.of())) {
        for (HttpRoute r : tr.getTrafficRoute().getRoutesList()) {
          RouteAction action = action(ns, service.getName(), r, policies);
          List<RouteMatch> matches = matches(r);
          for (int i = 0; i < matches.size(); i++) {
            vh.addRoutes(
                Route.newBuilder()
                    .setName(tr.getName() + "/" + r.getName() + (matches.size() > 1 ? "/" + i : ""))
                    .setMatch(matches.get(i))
                    .setRoute(action));
          }
        }
      }
      vh.addRoutes(
          Route.newBuilder()
              .setName("default")
              .setMatch(RouteMatch.newBuilder().setPrefix("/"))
              .setRoute(
                  withHash(
                      RouteAction.newBuilder().setCluster(XdsNames.cluster(ns, service.getName())),
                      ns,
                      service.getName(),
                      policies)));
      routes.put(name, RouteConfiguration.newBuilder().setName(name).addVirtualHosts(vh).build());
      listeners.put(name, listener(name));
    }
    return new Output(routes, listeners);
  }

  /** An API listener whose HTTP connection manager takes its routes over ADS. */
  static Listener listener(String name) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(name)
            .setRds(
                Rds.newBuilder().setRouteConfigName(name).setConfigSource(ClusterTranslation.ads()))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName(ROUTER_FILTER)
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  private static List<RouteMatch> matches(HttpRoute r) {
    List<RouteMatch> out = new ArrayList<>();
    if (r.getMatchesCount() == 0) {
      out.add(RouteMatch.newBuilder().setPrefix("/").build());
      return out;
    }
    for (HttpMatch m : r.getMatchesList()) {
      RouteMatch.Builder b = RouteMatch.newBuilder();
      switch (m.getPathCase()) {
        case EXACT_PATH -> b.setPath(m.getExactPath());
        case PATH_PREFIX -> b.setPrefix(m.getPathPrefix());
        default -> b.setPrefix("/");
      }
      for (HeaderMatch h : m.getHeadersList()) {
        HeaderMatcher.Builder hm = HeaderMatcher.newBuilder().setName(h.getName());
        switch (h.getValueCase()) {
          case EXACT -> hm.setStringMatch(StringMatcher.newBuilder().setExact(h.getExact()));
          case PREFIX -> hm.setStringMatch(StringMatcher.newBuilder().setPrefix(h.getPrefix()));
          case PRESENT -> {
            if (h.getPresent()) {
              hm.setPresentMatch(true);
            } else {
              hm.setPresentMatch(true).setInvertMatch(true);
            }
          }
          default -> hm.setPresentMatch(true);
        }
        b.addHeaders(hm);
      }
      if (!m.getMethod().isEmpty()) {
        b.addHeaders(
            HeaderMatcher.newBuilder()
                .setName(":method")
                .setStringMatch(StringMatcher.newBuilder().setExact(m.getMethod())));
      }
      out.add(b.build());
    }
    return out;
  }

  private static RouteAction action(
      String ns, String destination, HttpRoute r, Map<String, List<Resource>> policies) {
    RouteAction.Builder a = RouteAction.newBuilder();
    List<WeightedTarget> targets = new ArrayList<>();
    for (WeightedTarget t : r.getSplitList()) {
      if (t.getWeight() > 0) {
        targets.add(t);
      }
    }
    if (targets.isEmpty()) {
      a.setCluster(XdsNames.cluster(ns, destination));
    } else if (targets.size() == 1) {
      a.setCluster(clusterOf(ns, destination, targets.get(0)));
    } else {
      WeightedCluster.Builder wc = WeightedCluster.newBuilder();
      for (WeightedTarget t : targets) {
        wc.addClusters(
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(clusterOf(ns, destination, t))
                .setWeight(ClusterTranslation.u32(t.getWeight())));
      }
      a.setWeightedClusters(wc);
    }
    if (r.hasTimeout() && positive(r.getTimeout())) {
      a.setTimeout(r.getTimeout());
      // grpc-java takes the deadline from max_stream_duration, Envoy from timeout.
      a.setMaxStreamDuration(
          RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(r.getTimeout()));
    }
    if (r.hasRetry() && r.getRetry().getAttempts() > 1) {
      a.setRetryPolicy(retry(r.getRetry()));
    }
    return withHash(a, ns, destination, policies);
  }

  /** RING_HASH destinations hash the configured header. */
  private static RouteAction withHash(
      RouteAction.Builder a, String ns, String destination, Map<String, List<Resource>> policies) {
    List<Resource> ps = policies.getOrDefault(ns + "/" + destination, List.of());
    if (!ps.isEmpty()) {
      DestinationPolicySpec p = ps.get(0).getDestinationPolicy();
      if (p.getLoadBalancer().getAlgorithm() == LbAlgorithm.RING_HASH
          && !p.getLoadBalancer().getHashHeader().isEmpty()) {
        a.addHashPolicy(
            RouteAction.HashPolicy.newBuilder()
                .setHeader(
                    RouteAction.HashPolicy.Header.newBuilder()
                        .setHeaderName(p.getLoadBalancer().getHashHeader())));
      }
    }
    return a.build();
  }

  private static String clusterOf(String ns, String destination, WeightedTarget t) {
    String service = t.getService().isEmpty() ? destination : t.getService();
    return XdsNames.cluster(ns, service, t.getSubset());
  }

  /**
   * Our retry conditions in Envoy's words: {@code 503} becomes {@code retriable-status-codes} with
   * 503, and {@code retriable-status-codes} (gRPC UNAVAILABLE in our model) becomes {@code
   * unavailable}, the gRPC condition grpc-java acts on.
   */
  static RetryPolicy retry(io.raftmesh.proto.v1.RetryPolicy p) {
    RetryPolicy.Builder b =
        RetryPolicy.newBuilder().setNumRetries(ClusterTranslation.u32(p.getAttempts() - 1));
    Set<String> on = new LinkedHashSet<>();
    for (String c : p.getRetryOnList()) {
      switch (c) {
        case "503" -> {
          on.add("retriable-status-codes");
          b.addRetriableStatusCodes(503);
        }
        case "retriable-status-codes" -> on.add("unavailable");
        default -> on.add(c);
      }
    }
    if (on.isEmpty()) {
      on.add("connect-failure");
      on.add("unavailable");
    }
    b.setRetryOn(String.join(",", on));
    if (p.hasPerTryTimeout() && positive(p.getPerTryTimeout())) {
      b.setPerTryTimeout(p.getPerTryTimeout());
    }
    Duration base =
        p.hasBackoffBase() && positive(p.getBackoffBase())
            ? p.getBackoffBase()
            : Durations.fromMillis(25);
    Duration max =
        p.hasBackoffMax() && positive(p.getBackoffMax())
            ? p.getBackoffMax()
            : Durations.fromNanos(Durations.toNanos(base) * 10);
    b.setRetryBackOff(
        RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(base).setMaxInterval(max));
    return b.build();
  }

  private static boolean positive(Duration d) {
    return d.getSeconds() > 0 || (d.getSeconds() == 0 && d.getNanos() > 0);
  }
}
