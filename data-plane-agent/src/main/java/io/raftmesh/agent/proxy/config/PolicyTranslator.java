package io.raftmesh.agent.proxy.config;

import static io.raftmesh.agent.proxy.config.MeshTranslator.key;
import static io.raftmesh.agent.proxy.config.MeshTranslator.nanos;
import static io.raftmesh.agent.proxy.config.MeshTranslator.orDefault;

import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.AuthorizationPolicySpec;
import io.raftmesh.proto.v1.AuthorizationRule;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Translates DestinationPolicy and AuthorizationPolicy resources (see {@link MeshTranslator}). */
final class PolicyTranslator {
  private static final long DEFAULT_HC_INTERVAL = TimeUnit.SECONDS.toNanos(10);
  private static final long DEFAULT_HC_TIMEOUT = TimeUnit.SECONDS.toNanos(1);

  private PolicyTranslator() {}

  static DestinationConfig destination(Resource r) throws ProxyConfigException {
    DestinationPolicySpec p = r.getDestinationPolicy();
    DestinationConfig d = DestinationConfig.DEFAULT;
    DestinationConfig.Algorithm algo;
    switch (p.getLoadBalancer().getAlgorithm()) {
      case ROUND_ROBIN:
        algo = DestinationConfig.Algorithm.ROUND_ROBIN;
        break;
      case LEAST_REQUEST:
        algo = DestinationConfig.Algorithm.LEAST_REQUEST;
        break;
      case RING_HASH:
        algo = DestinationConfig.Algorithm.RING_HASH;
        break;
      default:
        algo = DestinationConfig.Algorithm.PEAK_EWMA;
        break;
    }
    String hashHeader = p.getLoadBalancer().getHashHeader().toLowerCase(java.util.Locale.ROOT);
    if (algo == DestinationConfig.Algorithm.RING_HASH && hashHeader.isEmpty()) {
      throw new ProxyConfigException(
          key(r) + ": load_balancer.hash_header: \"\" (expected: a header name with RING_HASH)");
    }
    var cp = p.getConnectionPool();
    var od = p.getOutlierDetection();
    if (od.getMaxEjectionPercent() > 100) {
      throw new ProxyConfigException(
          key(r)
              + ": outlier_detection.max_ejection_percent: "
              + od.getMaxEjectionPercent()
              + " (expected: 0..100)");
    }
    DestinationConfig.OutlierConfig outlier =
        new DestinationConfig.OutlierConfig(
            orDefault(od.getConsecutive5Xx(), 5),
            orDefault(od.getConsecutiveConnectFailures(), 5),
            od.hasBaseEjectionTime()
                ? nanos(od.getBaseEjectionTime())
                : d.outlier().baseEjectionNanos(),
            orDefault(od.getMaxEjectionPercent(), 50));
    DestinationConfig.HealthCheckConfig hc = null;
    if (p.hasHealthCheck()) {
      var h = p.getHealthCheck();
      if (!h.getHttpPath().isEmpty() && !h.getHttpPath().startsWith("/")) {
        throw new ProxyConfigException(
            key(r)
                + ": health_check.http_path: "
                + h.getHttpPath()
                + " (expected: starting with '/')");
      }
      hc =
          new DestinationConfig.HealthCheckConfig(
              h.getHttpPath(),
              h.hasInterval() ? nanos(h.getInterval()) : DEFAULT_HC_INTERVAL,
              h.hasTimeout() ? nanos(h.getTimeout()) : DEFAULT_HC_TIMEOUT,
              orDefault(h.getHealthyThreshold(), 2),
              orDefault(h.getUnhealthyThreshold(), 3));
    }
    double ratio = p.getRetryBudget().getRatio();
    if (ratio < 0 || ratio > 1) {
      throw new ProxyConfigException(
          key(r) + ": retry_budget.ratio: " + ratio + " (expected: 0..1)");
    }
    return new DestinationConfig(
        algo,
        hashHeader,
        orDefault(cp.getMaxConnections(), 1024),
        orDefault(cp.getMaxPendingRequests(), 1024),
        orDefault(cp.getMaxRequests(), 1024),
        cp.hasConnectTimeout() ? nanos(cp.getConnectTimeout()) : d.connectTimeoutNanos(),
        cp.hasIdleTimeout() ? nanos(cp.getIdleTimeout()) : d.idleTimeoutNanos(),
        outlier,
        hc,
        ratio == 0 ? 0.2 : ratio,
        orDefault(p.getRetryBudget().getMinRetriesPerSecond(), 10));
  }

  static AuthorizationConfig authorization(Resource r) throws ProxyConfigException {
    AuthorizationPolicySpec p = r.getAuthorizationPolicy();
    List<AuthorizationConfig.Rule> allow = new ArrayList<>();
    List<AuthorizationConfig.Rule> deny = new ArrayList<>();
    for (int i = 0; i < p.getRulesCount(); i++) {
      AuthorizationRule rule = p.getRules(i);
      String at = "rules[" + i + "]";
      List<SourcePattern> sources = new ArrayList<>();
      for (int j = 0; j < rule.getSourcesCount(); j++) {
        try {
          sources.add(SourcePattern.parse(rule.getSources(j)));
        } catch (IllegalArgumentException e) {
          throw new ProxyConfigException(
              key(r) + ": " + at + ".sources[" + j + "]: " + e.getMessage());
        }
      }
      List<String> methods = new ArrayList<>();
      for (String m : rule.getMethodsList()) {
        methods.add(m.toUpperCase(java.util.Locale.ROOT));
      }
      var compiled = new AuthorizationConfig.Rule(sources, methods, rule.getPathPrefixesList());
      if (rule.getAction() == AuthorizationAction.ALLOW) {
        allow.add(compiled);
      } else if (rule.getAction() == AuthorizationAction.DENY) {
        deny.add(compiled);
      } else {
        throw new ProxyConfigException(
            key(r)
                + ": "
                + at
                + ".action: AUTHORIZATION_ACTION_UNSPECIFIED (expected: ALLOW or DENY)");
      }
    }
    return new AuthorizationConfig(p.getDefaultAction() == AuthorizationAction.ALLOW, allow, deny);
  }
}
