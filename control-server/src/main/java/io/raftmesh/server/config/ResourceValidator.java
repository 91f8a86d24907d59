package io.raftmesh.server.config;

import com.google.protobuf.Duration;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.AuthorizationPolicySpec;
import io.raftmesh.proto.v1.AuthorizationRule;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.HeaderMatch;
import io.raftmesh.proto.v1.HttpMatch;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.RetryPolicy;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks resources before anything is written: the structure of each one, then its references
 * (services and subsets) against the stored state overlaid with the rest of the batch. Every
 * failure names its field path, e.g. {@code trafficRoute[shop/checkout].spec.routes[2].split[0]
 * .weight: 140 (expected: 0..100)}; one bad resource fails the whole batch.
 */
public final class ResourceValidator {
  private static final com.google.protobuf.Duration DEFAULT_RETRY_BACKOFF_BASE =
      com.google.protobuf.Duration.newBuilder().setNanos(25_000_000).build();

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
  private static final Pattern LABEL_NAME =
      Pattern.compile("[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern METHOD = Pattern.compile("[A-Z]+");
  private static final Pattern SPIFFE_SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Set<String> RETRY_ON =
      Set.of("connect-failure", "reset", "5xx", "gateway-error", "503", "retriable-status-codes");
  private static final long MAX_LIMIT = 1_000_000;
  // Short enough for rotation drills and tests (agents renew at 50-80% of the lifetime).
  private static final java.time.Duration MIN_CERT_TTL = java.time.Duration.ofSeconds(10);

  /** The mesh's fixed home for MeshConfig. */
  public static final String SYSTEM_NAMESPACE = "system";

  /** The only MeshConfig name. */
  public static final String MESH_CONFIG_NAME = "default";

  /**
   * Validates a batch written by an admin: each resource's structure, that its type may be written
   * by people, and its references against {@code stored} overlaid with the batch.
   *
   * @throws InvalidResourceException listing every failure when anything is wrong
   */
  public void validateBatch(List<Resource> batch, Catalog stored) {
    Violations v = new Violations();
    Map<String, ServiceSpec> batchServices = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < batch.size(); i++) {
      Resource r = batch.get(i);
      String at = prefix(r, i);
      validateStructure(r, at, v);
      ResourceKind.ofSpec(r.getSpecCase())
          .filter(k -> !k.writableByAdmins())
          .ifPresent(
              k ->
                  v.add(
                      at + ".type",
                      k.kind()
                          + " (expected: a type people write; "
                          + k.kind()
                          + "s are written by the control plane and agents)"));
      if (!seen.add(r.getType() + "/" + r.getNamespace() + "/" + r.getName())) {
        v.add(at, "appears twice in the batch (expected: each resource once)");
      }
      if (r.getSpecCase() == Resource.SpecCase.SERVICE) {
        batchServices.put(r.getNamespace() + "/" + r.getName(), r.getService());
      }
    }
    if (v.isEmpty()) {
      Catalog view =
          (ns, name) -> {
            ServiceSpec s = batchServices.get(ns + "/" + name);
            return s != null ? Optional.of(s) : stored.service(ns, name);
          };
      for (int i = 0; i < batch.size(); i++) {
        validateReferences(batch.get(i), prefix(batch.get(i), i), view, v);
      }
    }
    v.throwIfAny();
  }

  /** Validates one resource on its own, with no reference checks (e.g. what an agent writes). */
  public void validate(Resource r) {
    Violations v = new Violations();
    validateStructure(r, prefix(r, 0), v);
    v.throwIfAny();
  }

  /** The path prefix of a resource in error messages: {@code trafficRoute[shop/checkout]}. */
  static String prefix(Resource r, int index) {
    Optional<ResourceKind> kind = ResourceKind.ofSpec(r.getSpecCase());
    if (kind.isEmpty() || r.getName().isEmpty()) {
      return "resources[" + index + "]";
    }
    String k = kind.get().kind();
    return Character.toLowerCase(k.charAt(0))
        + k.substring(1)
        + "["
        + r.getNamespace()
        + "/"
        + r.getName()
        + "]";
  }

  void validateStructure(Resource r, String at, Violations v) {
    Optional<ResourceKind> kind = ResourceKind.ofSpec(r.getSpecCase());
    if (kind.isEmpty()) {
      v.add(at + ".spec", "missing (expected: exactly one typed spec)");
      return;
    }
    if (r.getType() != kind.get().type()) {
      v.bad(at + ".type", r.getType().name(), kind.get().type().name() + ", matching the spec");
    }
    checkLabel(r.getNamespace(), at + ".namespace", DNS_LABEL, 63, v);
    checkLabel(r.getName(), at + ".name", DNS_NAME, 253, v);
    checkLabels(r.getMeta().getLabelsMap(), at + ".metadata.labels", v);
    String spec = at + ".spec";
    switch (kind.get()) {
      case MESH_CONFIG -> meshConfig(r, spec, v);
      case SERVICE -> service(r.getService(), spec, v);
      case ENDPOINT -> endpoint(r, spec, v);
      case TRAFFIC_ROUTE -> trafficRoute(r.getTrafficRoute(), spec, v);
      case DESTINATION_POLICY -> destinationPolicy(r.getDestinationPolicy(), spec, v);
      case AUTHORIZATION_POLICY -> authorizationPolicy(r.getAuthorizationPolicy(), spec, v);
      case NODE -> {
        // Nodes are written by the control servers from enrollment; nothing to check here.
      }
    }
  }

  private static void meshConfig(Resource r, String at, Violations v) {
    if (!r.getNamespace().equals(SYSTEM_NAMESPACE) || !r.getName().equals(MESH_CONFIG_NAME)) {
      v.bad(
          at.replace(".spec", ".name"),
          r.getNamespace() + "/" + r.getName(),
          SYSTEM_NAMESPACE + "/" + MESH_CONFIG_NAME + ", the only MeshConfig");
    }
    MeshConfigSpec m = r.getMeshConfig();
    if (m.getTrustDomain().isEmpty()
        || m.getTrustDomain().length() > 255
        || !TRUST_DOMAIN.matcher(m.getTrustDomain()).matches()) {
      v.bad(at + ".trustDomain", m.getTrustDomain(), "1..255 characters of [a-z0-9._-]");
    }
    if (m.hasWorkloadCertTtl()) {
      range(
          m.getWorkloadCertTtl(),
          at + ".workloadCertTtl",
          MIN_CERT_TTL,
          java.time.Duration.ofDays(30),
          v);
    }
    if (m.hasNodeCertTtl()) {
      range(
          m.getNodeCertTtl(), at + ".nodeCertTtl", MIN_CERT_TTL, java.time.Duration.ofDays(90), v);
    }
    if (m.hasEndpointUnhealthyAfter()) {
      range(
          m.getEndpointUnhealthyAfter(),
          at + ".endpointUnhealthyAfter",
          java.time.Duration.ofSeconds(1),
          java.time.Duration.ofHours(1),
          v);
    }
    if (m.hasEndpointRemoveAfter()) {
      range(
          m.getEndpointRemoveAfter(),
          at + ".endpointRemoveAfter",
          java.time.Duration.ofSeconds(1),
          java.time.Duration.ofDays(7),
          v);
    }
  }

  private static void service(ServiceSpec s, String at, Violations v) {
    if (s.getPortsCount() == 0) {
      v.add(at + ".ports", "empty (expected: at least one port)");
    }
    Set<String> portNames = new HashSet<>();
    Set<Integer> portNumbers = new HashSet<>();
    for (int i = 0; i < s.getPortsCount(); i++) {
      ServicePort p = s.getPorts(i);
      String pat = at + ".ports[" + i + "]";
      checkLabel(p.getName(), pat + ".name", DNS_LABEL, 15, v);
      if (!p.getName().isEmpty() && !portNames.add(p.getName())) {
        v.bad(pat + ".name", p.getName(), "unique within the service");
      }
      if (p.getPort() < 1 || p.getPort() > 65535) {
        v.bad(pat + ".port", p.getPort(), "1..65535");
      } else if (!portNumbers.add(p.getPort())) {
        v.bad(pat + ".port", p.getPort(), "unique within the service");
      }
    }
    Set<String> subsetNames = new HashSet<>();
    for (int i = 0; i < s.getSubsetsCount(); i++) {
      Subset sub = s.getSubsets(i);
      String sat = at + ".subsets[" + i + "]";
      checkLabel(sub.getName(), sat + ".name", DNS_LABEL, 63, v);
      if (!sub.getName().isEmpty() && !subsetNames.add(sub.getName())) {
        v.bad(sat + ".name", sub.getName(), "unique within the service");
      }
      if (sub.getLabelsCount() == 0) {
        v.add(sat + ".labels", "empty (expected: at least one label that selects the subset)");
      }
      checkLabels(sub.getLabelsMap(), sat + ".labels", v);
    }
    if (s.getDescription().length() > 1024) {
      v.bad(at + ".description", s.getDescription().length() + " characters", "at most 1024");
    }
  }

  private static void endpoint(Resource r, String at, Violations v) {
    EndpointSpec e = r.getEndpoint();
    checkLabel(e.getService(), at + ".service", DNS_NAME, 253, v);
    checkLabel(e.getNode(), at + ".node", DNS_LABEL, 63, v);
    if (e.getAddress().isEmpty() || e.getAddress().length() > 255) {
      v.bad(at + ".address", e.getAddress(), "an IP address or host name");
    }
    if (e.getPort() < 1 || e.getPort() > 65535) {
      v.bad(at + ".port", e.getPort(), "1..65535");
    }
    String expectedName = e.getService() + "." + e.getNode();
    if (!r.getName().equals(expectedName)) {
      v.bad(
          at.replace(".spec", ".name"), r.getName(), "\"" + expectedName + "\" (<service>.<node>)");
    }
  }

  private static void trafficRoute(TrafficRouteSpec t, String at, Violations v) {
    checkLabel(t.getDestination(), at + ".destination", DNS_NAME, 253, v);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < t.getRoutesCount(); i++) {
      HttpRoute route = t.getRoutes(i);
      String rat = at + ".routes[" + i + "]";
      checkLabel(route.getName(), rat + ".name", DNS_LABEL, 63, v);
      if (!route.getName().isEmpty() && !names.add(route.getName())) {
        v.bad(rat + ".name", route.getName(), "unique within the TrafficRoute");
      }
      for (int j = 0; j < route.getMatchesCount(); j++) {
        match(route.getMatches(j), rat + ".matches[" + j + "]", v);
      }
      split(route.getSplitList(), rat + ".split", v);
      nonNegative(route.getTimeout(), rat + ".timeout", v);
      if (route.hasRetry()) {
        retry(route.getRetry(), route.getTimeout(), rat + ".retry", v);
      }
      if (route.hasFault()) {
        String fat = rat + ".fault";
        if (route.getFault().hasDelay()) {
          var d = route.getFault().getDelay();
          if (toJava(d.getFixedDelay()).compareTo(java.time.Duration.ZERO) <= 0
              || toJava(d.getFixedDelay()).compareTo(java.time.Duration.ofMinutes(5)) > 0) {
            v.bad(fat + ".delay.fixedDelay", format(d.getFixedDelay()), "more than 0s, at most 5m");
          }
          percentage(d.getPercentage(), fat + ".delay.percentage", v);
        }
        if (route.getFault().hasAbort()) {
          var a = route.getFault().getAbort();
          if (a.getHttpStatus() < 100 || a.getHttpStatus() > 599) {
            v.bad(fat + ".abort.httpStatus", a.getHttpStatus(), "100..599");
          }
          percentage(a.getPercentage(), fat + ".abort.percentage", v);
        }
      }
    }
    if (t.getTcpSplitCount() > 0) {
      split(t.getTcpSplitList(), at + ".tcpSplit", v);
    }
  }

  private static void match(HttpMatch m, String at, Violations v) {
    switch (m.getPathCase()) {
      case EXACT_PATH -> path(m.getExactPath(), at + ".exactPath", v);
      case PATH_PREFIX -> path(m.getPathPrefix(), at + ".pathPrefix", v);
      case PATH_NOT_SET -> {
        // Any path.
      }
    }
    if (!m.getMethod().isEmpty() && !METHOD.matcher(m.getMethod()).matches()) {
      v.bad(at + ".method", m.getMethod(), "an upper-case HTTP method such as GET");
    }
    for (int k = 0; k < m.getHeadersCount(); k++) {
      HeaderMatch h = m.getHeaders(k);
      String hat = at + ".headers[" + k + "]";
      if (!HEADER_NAME.matcher(h.getName()).matches()) {
        v.bad(hat + ".name", h.getName(), "an HTTP header name");
      }
      if (h.getValueCase() == HeaderMatch.ValueCase.VALUE_NOT_SET) {
        v.add(hat, "no condition (expected: one of exact, prefix, present)");
      }
    }
  }

  private static void path(String p, String at, Violations v) {
    if (!p.startsWith("/") || p.contains("?") || p.contains("#") || p.length() > 2048) {
      v.bad(at, p, "a path starting with '/', without query or fragment");
    }
  }

  private static void split(List<WeightedTarget> targets, String at, Violations v) {
    if (targets.isEmpty()) {
      v.add(at, "empty (expected: at least one target)");
      return;
    }
    long sum = 0;
    for (int i = 0; i < targets.size(); i++) {
      WeightedTarget w = targets.get(i);
      String wat = at + "[" + i + "]";
      if (w.getWeight() > 100) {
        v.bad(wat + ".weight", w.getWeight(), "0..100");
      }
      sum += w.getWeight();
      if (!w.getService().isEmpty()) {
        checkLabel(w.getService(), wat + ".service", DNS_NAME, 253, v);
      }
      if (!w.getSubset().isEmpty()) {
        checkLabel(w.getSubset(), wat + ".subset", DNS_LABEL, 63, v);
      }
    }
    if (sum != 100 && targets.stream().allMatch(w -> w.getWeight() <= 100)) {
      v.add(at + "[*].weight", "sum " + sum + " (expected: weights that add up to 100)");
    }
  }

  private static void retry(RetryPolicy r, Duration routeTimeout, String at, Violations v) {
    if (r.getAttempts() < 1 || r.getAttempts() > 10) {
      v.bad(at + ".attempts", r.getAttempts(), "1..10");
    }
    nonNegative(r.getPerTryTimeout(), at + ".perTryTimeout", v);
    java.time.Duration route = toJava(routeTimeout);
    if (!route.isZero() && toJava(r.getPerTryTimeout()).compareTo(route) > 0) {
      v.bad(
          at + ".perTryTimeout",
          format(r.getPerTryTimeout()),
          "at most the route timeout " + format(routeTimeout));
    }
    for (int i = 0; i < r.getRetryOnCount(); i++) {
      if (!RETRY_ON.contains(r.getRetryOn(i))) {
        v.bad(
            at + ".retryOn[" + i + "]",
            r.getRetryOn(i),
            "one of " + String.join(", ", RETRY_ON.stream().sorted().toList()));
      }
    }
    nonNegative(r.getBackoffBase(), at + ".backoffBase", v);
    nonNegative(r.getBackoffMax(), at + ".backoffMax", v);
    // An unset base is 25ms (resource.proto): a cap below it is refused by every proxy, so it is
    // refused here, before it is stored.
    com.google.protobuf.Duration base =
        r.hasBackoffBase() ? r.getBackoffBase() : DEFAULT_RETRY_BACKOFF_BASE;
    if (r.hasBackoffMax() && toJava(r.getBackoffMax()).compareTo(toJava(base)) < 0) {
      v.bad(
          at + ".backoffMax",
          format(r.getBackoffMax()),
          "at least backoffBase "
              + format(base)
              + (r.hasBackoffBase() ? "" : ", the default when backoffBase is unset"));
    }
  }

  private static void destinationPolicy(DestinationPolicySpec d, String at, Violations v) {
    checkLabel(d.getDestination(), at + ".destination", DNS_NAME, 253, v);
    LbAlgorithm algorithm = d.getLoadBalancer().getAlgorithm();
    String hashHeader = d.getLoadBalancer().getHashHeader();
    if (algorithm == LbAlgorithm.RING_HASH) {
      if (!HEADER_NAME.matcher(hashHeader).matches()) {
        v.bad(
            at + ".loadBalancer.hashHeader",
            hashHeader,
            "an HTTP header name, required by RING_HASH");
      }
    } else if (!hashHeader.isEmpty()) {
      v.bad(at + ".loadBalancer.hashHeader", hashHeader, "empty unless algorithm is RING_HASH");
    }
    var pool = d.getConnectionPool();
    max(pool.getMaxConnections(), at + ".connectionPool.maxConnections", v);
    max(pool.getMaxPendingRequests(), at + ".connectionPool.maxPendingRequests", v);
    max(pool.getMaxRequests(), at + ".connectionPool.maxRequests", v);
    nonNegative(pool.getConnectTimeout(), at + ".connectionPool.connectTimeout", v);
    nonNegative(pool.getIdleTimeout(), at + ".connectionPool.idleTimeout", v);
    var od = d.getOutlierDetection();
    max(od.getConsecutive5Xx(), at + ".outlierDetection.consecutive5xx", v);
    max(od.getConsecutiveConnectFailures(), at + ".outlierDetection.consecutiveConnectFailures", v);
    nonNegative(od.getBaseEjectionTime(), at + ".outlierDetection.baseEjectionTime", v);
    if (od.getMaxEjectionPercent() > 100) {
      v.bad(at + ".outlierDetection.maxEjectionPercent", od.getMaxEjectionPercent(), "0..100");
    }
    if (d.hasHealthCheck()) {
      var hc = d.getHealthCheck();
      if (!hc.getHttpPath().isEmpty()) {
        path(hc.getHttpPath(), at + ".healthCheck.httpPath", v);
      }
      nonNegative(hc.getInterval(), at + ".healthCheck.interval", v);
      nonNegative(hc.getTimeout(), at + ".healthCheck.timeout", v);
      if (hc.hasInterval()
          && hc.hasTimeout()
          && toJava(hc.getTimeout()).compareTo(toJava(hc.getInterval())) > 0) {
        v.bad(
            at + ".healthCheck.timeout",
            format(hc.getTimeout()),
            "at most the interval " + format(hc.getInterval()));
      }
      max(hc.getHealthyThreshold(), at + ".healthCheck.healthyThreshold", v);
      max(hc.getUnhealthyThreshold(), at + ".healthCheck.unhealthyThreshold", v);
    }
    double ratio = d.getRetryBudget().getRatio();
    if (!(ratio >= 0 && ratio <= 1)) {
      v.bad(at + ".retryBudget.ratio", ratio, "0..1");
    }
  }

  private static void authorizationPolicy(AuthorizationPolicySpec a, String at, Violations v) {
    checkLabel(a.getDestination(), at + ".destination", DNS_NAME, 253, v);
    for (int i = 0; i < a.getRulesCount(); i++) {
      AuthorizationRule rule = a.getRules(i);
      String rat = at + ".rules[" + i + "]";
      if (rule.getAction() != AuthorizationAction.ALLOW
          && rule.getAction() != AuthorizationAction.DENY) {
        v.add(rat + ".action", "missing (expected: ALLOW or DENY)");
      }
      for (int j = 0; j < rule.getSourcesCount(); j++) {
        String problem = sourcePatternProblem(rule.getSources(j));
        if (problem != null) {
          v.bad(rat + ".sources[" + j + "]", rule.getSources(j), problem);
        }
      }
      for (int j = 0; j < rule.getMethodsCount(); j++) {
        if (!METHOD.matcher(rule.getMethods(j)).matches()) {
          v.bad(
              rat + ".methods[" + j + "]",
              rule.getMethods(j),
              "an upper-case HTTP method such as GET");
        }
      }
      for (int j = 0; j < rule.getPathPrefixesCount(); j++) {
        path(rule.getPathPrefixes(j), rat + ".pathPrefixes[" + j + "]", v);
      }
    }
  }

  /**
   * Why a source pattern is invalid, or null when it is valid. A pattern is {@code *} (any mesh
   * identity) or a SPIFFE ID whose trust domain or path segments may be {@code *} (one segment),
   * and whose last segment may be {@code **} (any rest).
   */
  static @Nullable String sourcePatternProblem(String pattern) {
    final String expected =
        "\"*\" or spiffe://<trust-domain>/<segments>, where a segment may be \"*\" and the last"
            + " may be \"**\"";
    if (pattern.equals("*")) {
      return null;
    }
    if (!pattern.startsWith("spiffe://") || pattern.length() > 2048) {
      return expected;
    }
    String rest = pattern.substring("spiffe://".length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    if (!td.equals("*") && !TRUST_DOMAIN.matcher(td).matches()) {
      return expected;
    }
    if (slash < 0) {
      return null;
    }
    String[] segments = rest.substring(slash + 1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals("*") || (s.equals("**") && last)) {
        continue;
      }
      if (!SPIFFE_SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..")) {
        return expected;
      }
    }
    return null;
  }

  /** Reference checks: destinations, split targets and subsets must exist. */
  private static void validateReferences(Resource r, String at, Catalog view, Violations v) {
    String ns = r.getNamespace();
    switch (r.getSpecCase()) {
      case TRAFFIC_ROUTE -> {
        TrafficRouteSpec t = r.getTrafficRoute();
        Optional<ServiceSpec> dest =
            requireService(view, ns, t.getDestination(), at + ".spec.destination", v);
        for (int i = 0; i < t.getRoutesCount(); i++) {
          targets(
              view,
              ns,
              t.getDestination(),
              t.getRoutes(i).getSplitList(),
              at + ".spec.routes[" + i + "].split",
              v);
        }
        if (t.getTcpSplitCount() > 0) {
          if (dest.isPresent() && isHttp(dest.get().getProtocol())) {
            v.add(
                at + ".spec.tcpSplit",
                "set on an HTTP service (expected: only for TCP services; use routes)");
          }
          targets(view, ns, t.getDestination(), t.getTcpSplitList(), at + ".spec.tcpSplit", v);
        }
      }
      case DESTINATION_POLICY ->
          requireService(
              view, ns, r.getDestinationPolicy().getDestination(), at + ".spec.destination", v);
      case AUTHORIZATION_POLICY ->
          requireService(
              view, ns, r.getAuthorizationPolicy().getDestination(), at + ".spec.destination", v);
      default -> {
        // Other types reference nothing an admin writes.
      }
    }
  }

  private static void targets(
      Catalog view,
      String ns,
      String destination,
      List<WeightedTarget> split,
      String at,
      Violations v) {
    for (int j = 0; j < split.size(); j++) {
      WeightedTarget w = split.get(j);
      String service = w.getService().isEmpty() ? destination : w.getService();
      Optional<ServiceSpec> s =
          w.getService().isEmpty()
              ? view.service(ns, service)
              : requireService(view, ns, service, at + "[" + j + "].service", v);
      if (s.isPresent()
          && !w.getSubset().isEmpty()
          && s.get().getSubsetsList().stream().noneMatch(x -> x.getName().equals(w.getSubset()))) {
        v.bad(
            at + "[" + j + "].subset",
            w.getSubset(),
            "a subset of service "
                + ns
                + "/"
                + service
                + ": "
                + (s.get().getSubsetsCount() == 0
                    ? "it defines none"
                    : String.join(
                        ", ", s.get().getSubsetsList().stream().map(Subset::getName).toList())));
      }
    }
  }

  private static Optional<ServiceSpec> requireService(
      Catalog view, String ns, String name, String at, Violations v) {
    if (name.isEmpty()) {
      return Optional.empty();
    }
    Optional<ServiceSpec> s = view.service(ns, name);
    if (s.isEmpty()) {
      v.bad(at, name, "an existing Service in namespace " + ns);
    }
    return s;
  }

  private static boolean isHttp(Protocol p) {
    return p == Protocol.HTTP || p == Protocol.HTTP2 || p == Protocol.GRPC;
  }

  private static void checkLabel(
      String value, String at, Pattern pattern, int maxLength, Violations v) {
    if (value.isEmpty()) {
      v.add(
          at,
          "missing (expected: " + describe(pattern) + ", at most " + maxLength + " characters)");
    } else if (value.length() > maxLength || !pattern.matcher(value).matches()) {
      v.bad(at, value, describe(pattern) + ", at most " + maxLength + " characters");
    }
  }

  private static String describe(Pattern p) {
    if (p == DNS_LABEL) {
      return "lower-case letters, digits and '-', starting and ending with a letter or digit";
    }
    if (p == DNS_NAME) {
      return "dot-separated lower-case DNS labels";
    }
    return "matching " + p.pattern();
  }

  private static void checkLabels(Map<String, String> labels, String at, Violations v) {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String key = e.getKey();
      String name = key.contains("/") ? key.substring(key.indexOf('/') + 1) : key;
      String keyPrefix = key.contains("/") ? key.substring(0, key.indexOf('/')) : "";
      if (name.isEmpty()
          || name.length() > 63
          || !LABEL_NAME.matcher(name).matches()
          || (!keyPrefix.isEmpty() && !DNS_NAME.matcher(keyPrefix).matches())) {
        v.bad(
            at + "." + key,
            key,
            "a label key: [prefix/]name, name of letters, digits, '-', '_', '.' (at most 63)");
      }
      String value = e.getValue();
      if (value.length() > 63 || (!value.isEmpty() && !LABEL_NAME.matcher(value).matches())) {
        v.bad(at + "." + key, value, "a label value: letters, digits, '-', '_', '.' (at most 63)");
      }
    }
  }

  private static void percentage(double p, String at, Violations v) {
    if (!(p >= 0 && p <= 100)) {
      v.bad(at, p, "0..100");
    }
  }

  private static void max(long value, String at, Violations v) {
    if (value > MAX_LIMIT) {
      v.bad(at, value, "at most " + MAX_LIMIT);
    }
  }

  private static void nonNegative(Duration d, String at, Violations v) {
    if (d.getSeconds() < 0 || d.getNanos() < 0) {
      v.bad(at, format(d), "a duration of 0s or more");
    }
  }

  private static void range(
      Duration d, String at, java.time.Duration min, java.time.Duration max, Violations v) {
    java.time.Duration j = toJava(d);
    if (j.compareTo(min) < 0 || j.compareTo(max) > 0) {
      v.bad(at, format(d), format(min) + ".." + format(max));
    }
  }

  static java.time.Duration toJava(Duration d) {
    return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  static String format(Duration d) {
    return format(toJava(d));
  }

  static String format(java.time.Duration d) {
    return DurationText.format(d);
  }
}
