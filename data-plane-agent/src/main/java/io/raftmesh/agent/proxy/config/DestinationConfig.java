package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How callers treat one destination's endpoints ({@code DestinationPolicy}, with defaults filled
 * in).
 *
 * @param algorithm the load-balancing algorithm
 * @param hashHeader for {@link Algorithm#RING_HASH}: the header hashed; empty otherwise
 * @param maxConnections connections to all endpoints, per source
 * @param maxPendingRequests requests waiting for a connection
 * @param maxRequests concurrent requests
 * @param connectTimeoutNanos connect (and TLS handshake) timeout
 * @param idleTimeoutNanos idle connections close after this
 * @param outlier passive health
 * @param healthCheck active health checks, or null for none
 * @param retryBudgetRatio retries allowed as a share of requests
 * @param minRetriesPerSecond retries always allowed per second
 */
public record DestinationConfig(
    Algorithm algorithm,
    String hashHeader,
    int maxConnections,
    int maxPendingRequests,
    int maxRequests,
    long connectTimeoutNanos,
    long idleTimeoutNanos,
    OutlierConfig outlier,
    @Nullable HealthCheckConfig healthCheck,
    double retryBudgetRatio,
    int minRetriesPerSecond) {

  /** The policy of a destination no DestinationPolicy names. */
  public static final DestinationConfig DEFAULT =
      new DestinationConfig(
          Algorithm.PEAK_EWMA,
          "",
          1024,
          1024,
          1024,
          TimeUnit.SECONDS.toNanos(1),
          TimeUnit.SECONDS.toNanos(60),
          OutlierConfig.DEFAULT,
          null,
          0.2,
          10);

  /** Requires the non-null parts. */
  public DestinationConfig {
    requireNonNull(algorithm, "algorithm");
    requireNonNull(hashHeader, "hashHeader");
    requireNonNull(outlier, "outlier");
  }

  /** Load-balancing algorithms. */
  public enum Algorithm {
    /** Each endpoint in turn. */
    ROUND_ROBIN,
    /** The endpoint with fewer outstanding requests among two random ones. */
    LEAST_REQUEST,
    /** Consistent hashing of a header's value. */
    RING_HASH,
    /** The lower peak-EWMA latency times load among two random ones. */
    PEAK_EWMA
  }

  /**
   * Passive health.
   *
   * @param consecutive5xx consecutive 5xx answers that eject an endpoint
   * @param consecutiveConnectFailures consecutive connect failures that eject an endpoint
   * @param baseEjectionNanos first ejection time; doubled on each further ejection
   * @param maxEjectionPercent never eject more than this share of endpoints
   */
  public record OutlierConfig(
      int consecutive5xx,
      int consecutiveConnectFailures,
      long baseEjectionNanos,
      int maxEjectionPercent) {
    /** Defaults of an unset OutlierDetection. */
    public static final OutlierConfig DEFAULT =
        new OutlierConfig(5, 5, TimeUnit.SECONDS.toNanos(30), 50);
  }

  /**
   * Active health checks.
   *
   * @param httpPath path to GET; empty for a TCP connect check
   * @param intervalNanos time between checks
   * @param timeoutNanos timeout of one check
   * @param healthyThreshold successes that mark an endpoint healthy
   * @param unhealthyThreshold failures that mark an endpoint unhealthy
   */
  public record HealthCheckConfig(
      String httpPath,
      long intervalNanos,
      long timeoutNanos,
      int healthyThreshold,
      int unhealthyThreshold) {}
}
