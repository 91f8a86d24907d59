package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Duration;
import io.netty.util.AsciiString;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.HeaderMatch;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.HttpMatch;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.MtlsMode;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Translates the mesh's resources into a {@link MeshSnapshot}. Pure: the same resources give an
 * equal snapshot, and nothing is changed when translation fails.
 *
 * <p>What it refuses (with a {@link ProxyConfigException} naming the resource key and field): a
 * MeshConfig with a different trust domain, routes and policies whose destination service does not
 * exist, splits whose weights do not add up to 100 or that name an unknown service or subset, ring
 * hashing without a header, retry attempts outside 1..10, unknown retry conditions, percentages
 * outside 0..100, abort statuses outside 100..599, and malformed source patterns. Endpoints of
 * unknown services are skipped (agents write them, and may race a deletion).
 */
public final class MeshTranslator {
  private static final long DEFAULT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

  private final String trustDomain;

  /** A translator for a proxy in {@code trustDomain}. */
  public MeshTranslator(String trustDomain) {
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
  }

  /** Translates the complete set of resources at {@code revision}. */
  public MeshSnapshot translate(List<Resource> resources, long revision)
      throws ProxyConfigException {
    MeshConfigSpec mesh = null;
    Map<ServiceName, ServiceSpec> services = new LinkedHashMap<>();
    List<Resource> endpoints = new ArrayList<>();
    Map<ServiceName, Resource> routes = new HashMap<>();
    Map<ServiceName, Resource> policies = new HashMap<>();
    Map<ServiceName, Resource> authz = new HashMap<>();
    for (Resource r : resources) {
      switch (r.getSpecCase()) {
        case MESH_CONFIG:
          if (mesh != null) {
            throw new ProxyConfigException(
                key(r) + ": a second MeshConfig (expected: exactly one)");
          }
          mesh = r.getMeshConfig();
          break;
        case SERVICE:
          services.put(new ServiceName(r.getNamespace(), r.getName()), r.getService());
          break;
        case ENDPOINT:
          endpoints.add(r);
          break;
        case TRAFFIC_ROUTE:
          putUnique(routes, r, r.getTrafficRoute().getDestination());
          break;
        case DESTINATION_POLICY:
          putUnique(policies, r, r.getDestinationPolicy().getDestination());
          break;
        case AUTHORIZATION_POLICY:
          putUnique(authz, r, r.getAuthorizationPolicy().getDestination());
          break;
        default:
          break; // Nodes and unknown kinds do not configure the proxy.
      }
    }
    boolean permissive = false;
    boolean defaultAllow = false;
    if (mesh != null) {
      if (!mesh.getTrustDomain().isEmpty() && !mesh.getTrustDomain().equals(trustDomain)) {
        throw new ProxyConfigException(
            "/mesh-config/system/default: trust_domain: "
                + mesh.getTrustDomain()
                + " (expected: "
                + trustDomain
                + ", the trust domain of this node's certificates)");
      }
      permissive = mesh.getMtlsMode() == MtlsMode.PERMISSIVE;
      AuthorizationAction d = mesh.getDefaultAuthorization();
      defaultAllow =
          d == AuthorizationAction.AUTHORIZATION_ACTION_UNSPECIFIED
              ? permissive
              : d == AuthorizationAction.ALLOW;
    }
    for (Map<ServiceName, Resource> m : List.of(routes, policies, authz)) {
      for (Map.Entry<ServiceName, Resource> e : m.entrySet()) {
        if (!services.containsKey(e.getKey())) {
          throw new ProxyConfigException(
              key(e.getValue())
                  + ": destination: "
                  + e.getKey().name()
                  + " (expected: an existing Service in namespace "
                  + e.getKey().namespace()
                  + ")");
        }
      }
    }
    Map<ServiceName, List<EndpointConfig>> eps = new HashMap<>();
    for (Resource r : endpoints) {
      EndpointSpec e = r.getEndpoint();
      ServiceName svc = new ServiceName(r.getNamespace(), e.getService());
      if (!services.containsKey(svc) || e.getPort() < 1 || e.getPort() > 65535) {
        continue;
      }
      if (e.getAddress().isEmpty()) {
        continue;
      }
      boolean routable =
          e.getHealth() == HealthStatus.HEALTHY || e.getHealth() == HealthStatus.HEALTH_UNKNOWN;
      eps.computeIfAbsent(svc, k -> new ArrayList<>())
          .add(
              new EndpointConfig(
                  svc,
                  e.getAddress(),
                  e.getPort(),
                  r.getMeta().getLabelsMap(),
                  Math.max(1, e.getWeight()),
                  routable));
    }
    Map<ServiceName, ServiceConfig> out = new HashMap<>();
    for (Map.Entry<ServiceName, ServiceSpec> e : services.entrySet()) {
      ServiceName name = e.getKey();
      ServiceSpec spec = e.getValue();
      Map<String, Map<String, String>> subsets = new HashMap<>();
      for (Subset s : spec.getSubsetsList()) {
        subsets.put(s.getName(), s.getLabelsMap());
      }
      Resource route = routes.get(name);
      List<HttpRouteConfig> httpRoutes = List.of();
      List<WeightedTargetConfig> tcpSplit = List.of();
      if (route != null) {
        httpRoutes = translateRoutes(route, name, services);
        TrafficRouteSpec t = route.getTrafficRoute();
        if (t.getTcpSplitCount() > 0) {
          tcpSplit = translateSplit(route, "tcp_split", t.getTcpSplitList(), name, services);
        }
      }
      Resource policy = policies.get(name);
      DestinationConfig dest =
          policy == null ? DestinationConfig.DEFAULT : PolicyTranslator.destination(policy);
      Resource az = authz.get(name);
      AuthorizationConfig authorization = az == null ? null : PolicyTranslator.authorization(az);
      out.put(
          name,
          new ServiceConfig(
              name,
              AppProtocol.of(spec.getProtocol()),
              eps.getOrDefault(name, List.of()),
              subsets,
              httpRoutes,
              tcpSplit,
              dest,
              authorization));
    }
    return new MeshSnapshot(revision, trustDomain, permissive, defaultAllow, out);
  }

  private static void putUnique(Map<ServiceName, Resource> m, Resource r, String destination)
      throws ProxyConfigException {
    if (destination.isEmpty()) {
      throw new ProxyConfigException(key(r) + ": destination: \"\" (expected: a service name)");
    }
    Resource prev = m.put(new ServiceName(r.getNamespace(), destination), r);
    if (prev != null) {
      throw new ProxyConfigException(
          key(r)
              + ": destination: "
              + destination
              + " (expected: not also named by "
              + key(prev)
              + ")");
    }
  }

  private List<HttpRouteConfig> translateRoutes(
      Resource r, ServiceName dest, Map<ServiceName, ServiceSpec> services)
      throws ProxyConfigException {
    List<HttpRouteConfig> out = new ArrayList<>();
    List<HttpRoute> routes = r.getTrafficRoute().getRoutesList();
    for (int i = 0; i < routes.size(); i++) {
      HttpRoute h = routes.get(i);
      String at = "routes[" + i + "]";
      List<HttpMatchConfig> matches = new ArrayList<>();
      for (int j = 0; j < h.getMatchesCount(); j++) {
        matches.add(translateMatch(r, at + ".matches[" + j + "]", h.getMatches(j)));
      }
      List<WeightedTargetConfig> split =
          h.getSplitCount() == 0
              ? List.of(new WeightedTargetConfig(dest, "", 100))
              : translateSplit(r, at + ".split", h.getSplitList(), dest, services);
      RetryConfig retry = h.hasRetry() ? translateRetry(r, at + ".retry", h) : RetryConfig.NONE;
      FaultConfig fault = h.hasFault() ? translateFault(r, at + ".fault", h) : null;
      out.add(
          new HttpRouteConfig(
              h.getName().isEmpty() ? at : h.getName(),
              matches,
              split,
              nanos(h.getTimeout()),
              retry,
              fault));
    }
    return out;
  }

  private static HttpMatchConfig translateMatch(Resource r, String at, HttpMatch m)
      throws ProxyConfigException {
    List<HeaderCondition> headers = new ArrayList<>();
    for (int k = 0; k < m.getHeadersCount(); k++) {
      HeaderMatch h = m.getHeaders(k);
      String hat = at + ".headers[" + k + "]";
      if (h.getName().isEmpty()) {
        throw new ProxyConfigException(
            key(r) + ": " + hat + ".name: \"\" (expected: a header name)");
      }
      AsciiString name = AsciiString.of(h.getName().toLowerCase(java.util.Locale.ROOT));
      switch (h.getValueCase()) {
        case EXACT:
          headers.add(new HeaderCondition(name, HeaderCondition.Kind.EXACT, h.getExact()));
          break;
        case PREFIX:
          headers.add(new HeaderCondition(name, HeaderCondition.Kind.PREFIX, h.getPrefix()));
          break;
        case PRESENT:
          headers.add(
              new HeaderCondition(
                  name,
                  h.getPresent() ? HeaderCondition.Kind.PRESENT : HeaderCondition.Kind.ABSENT,
                  ""));
          break;
        default:
          throw new ProxyConfigException(
              key(r) + ": " + hat + ": no value condition (expected: exact, prefix or present)");
      }
    }
    String exact = m.getPathCase() == HttpMatch.PathCase.EXACT_PATH ? m.getExactPath() : "";
    String prefix = m.getPathCase() == HttpMatch.PathCase.PATH_PREFIX ? m.getPathPrefix() : "";
    for (String p : List.of(exact, prefix)) {
      if (!p.isEmpty() && !p.startsWith("/")) {
        throw new ProxyConfigException(
            key(r) + ": " + at + ": path " + p + " (expected: starting with '/')");
      }
    }
    return new HttpMatchConfig(
        exact, prefix, headers, m.getMethod().toUpperCase(java.util.Locale.ROOT));
  }

  private List<WeightedTargetConfig> translateSplit(
      Resource r,
      String at,
      List<WeightedTarget> targets,
      ServiceName dest,
      Map<ServiceName, ServiceSpec> services)
      throws ProxyConfigException {
    List<WeightedTargetConfig> out = new ArrayList<>();
    int sum = 0;
    for (int i = 0; i < targets.size(); i++) {
      WeightedTarget t = targets.get(i);
      String tat = at + "[" + i + "]";
      ServiceName svc =
          t.getService().isEmpty() ? dest : new ServiceName(dest.namespace(), t.getService());
      ServiceSpec spec = services.get(svc);
      if (spec == null) {
        throw new ProxyConfigException(
            key(r)
                + ": "
                + tat
                + ".service: "
                + t.getService()
                + " (expected: an existing Service)");
      }
      if (!t.getSubset().isEmpty()
          && spec.getSubsetsList().stream().noneMatch(s -> s.getName().equals(t.getSubset()))) {
        throw new ProxyConfigException(
            key(r)
                + ": "
                + tat
                + ".subset: "
                + t.getSubset()
                + " (expected: a subset declared by Service "
                + svc
                + ")");
      }
      if (t.getWeight() > 100) {
        throw new ProxyConfigException(
            key(r) + ": " + tat + ".weight: " + t.getWeight() + " (expected: 0..100)");
      }
      sum += t.getWeight();
      if (t.getWeight() > 0) {
        out.add(new WeightedTargetConfig(svc, t.getSubset(), t.getWeight()));
      }
    }
    if (sum != 100) {
      throw new ProxyConfigException(
          key(r) + ": " + at + ": weights add up to " + sum + " (expected: 100)");
    }
    return out;
  }

  private static RetryConfig translateRetry(Resource r, String at, HttpRoute h)
      throws ProxyConfigException {
    var p = h.getRetry();
    if (p.getAttempts() < 1 || p.getAttempts() > 10) {
      throw new ProxyConfigException(
          key(r) + ": " + at + ".attempts: " + p.getAttempts() + " (expected: 1..10)");
    }
    Set<RetryConfig.RetryOn> on = EnumSet.noneOf(RetryConfig.RetryOn.class);
    for (String s : p.getRetryOnList()) {
      RetryConfig.RetryOn found = null;
      for (RetryConfig.RetryOn c : RetryConfig.RetryOn.values()) {
        if (c.wireName().equals(s)) {
          found = c;
        }
      }
      if (found == null) {
        throw new ProxyConfigException(
            key(r)
                + ": "
                + at
                + ".retry_on: "
                + s
                + " (expected: one of connect-failure, reset, 5xx, gateway-error, 503,"
                + " retriable-status-codes)");
      }
      on.add(found);
    }
    long base = p.hasBackoffBase() ? nanos(p.getBackoffBase()) : DEFAULT_BACKOFF_NANOS;
    long max = p.hasBackoffMax() ? nanos(p.getBackoffMax()) : 10 * base;
    if (max < base) {
      throw new ProxyConfigException(
          key(r)
              + ": "
              + at
              + ".backoff_max: shorter than backoff_base (expected: >= backoff_base)");
    }
    return new RetryConfig(p.getAttempts(), nanos(p.getPerTryTimeout()), on, base, max);
  }

  private static FaultConfig translateFault(Resource r, String at, HttpRoute h)
      throws ProxyConfigException {
    var f = h.getFault();
    double dp = f.getDelay().getPercentage();
    double ap = f.getAbort().getPercentage();
    if (dp < 0 || dp > 100) {
      throw new ProxyConfigException(
          key(r) + ": " + at + ".delay.percentage: " + dp + " (expected: 0..100)");
    }
    if (ap < 0 || ap > 100) {
      throw new ProxyConfigException(
          key(r) + ": " + at + ".abort.percentage: " + ap + " (expected: 0..100)");
    }
    int status = f.getAbort().getHttpStatus();
    if (f.hasAbort() && (status < 100 || status > 599)) {
      throw new ProxyConfigException(
          key(r) + ": " + at + ".abort.http_status: " + status + " (expected: 100..599)");
    }
    return new FaultConfig(nanos(f.getDelay().getFixedDelay()), dp, f.hasAbort() ? status : 0, ap);
  }

  static int orDefault(int v, int dflt) {
    return v == 0 ? dflt : v;
  }

  static long nanos(Duration d) {
    return TimeUnit.SECONDS.toNanos(d.getSeconds()) + d.getNanos();
  }

  /** The resource's key, {@code /<type>/<namespace>/<name>}. */
  static String key(Resource r) {
    String type = r.getType().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    return "/" + type + "/" + r.getNamespace() + "/" + r.getName();
  }
}
