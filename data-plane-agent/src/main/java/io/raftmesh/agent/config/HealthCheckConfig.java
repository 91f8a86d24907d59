package io.raftmesh.agent.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the agent checks that a local application is up.
 *
 * @param kind HTTP GET, TCP connect, or none (the endpoint is registered healthy)
 * @param httpPath the path to GET (HTTP only; empty otherwise)
 * @param interval time between checks
 * @param timeout timeout of one check (at most the interval)
 * @param healthyThreshold consecutive successes that mark the endpoint healthy
 * @param unhealthyThreshold consecutive failures that mark it unhealthy
 */
public record HealthCheckConfig(
    Kind kind,
    String httpPath,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold) {

  /** The kinds of check. */
  public enum Kind {
    /** No check: the endpoint is registered as healthy. */
    NONE,
    /** A TCP connect to the application port. */
    TCP,
    /** An HTTP GET of {@code httpPath}; 2xx and 3xx pass. */
    HTTP
  }

  /** No health check. */
  public static final HealthCheckConfig NONE =
      new HealthCheckConfig(Kind.NONE, "", Duration.ofSeconds(10), Duration.ofSeconds(1), 1, 1);

  /** Checks the bounds (the parser reports field paths before this runs). */
  public HealthCheckConfig {
    requireNonNull(kind, "kind");
    requireNonNull(httpPath, "httpPath");
    requireNonNull(interval, "interval");
    requireNonNull(timeout, "timeout");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0, <= interval)");
    }
    if (healthyThreshold < 1 || unhealthyThreshold < 1) {
      throw new IllegalArgumentException("thresholds: (expected: >= 1)");
    }
  }
}
