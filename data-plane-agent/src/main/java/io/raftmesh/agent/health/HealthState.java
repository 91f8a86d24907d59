package io.raftmesh.agent.health;

import io.raftmesh.proto.v1.HealthStatus;
import org.jspecify.annotations.Nullable;

/**
 * Turns a series of check results into a health status with thresholds: {@code healthy} consecutive
 * successes make an endpoint HEALTHY, {@code unhealthy} consecutive failures make it UNHEALTHY;
 * before either it is HEALTH_UNKNOWN. Not thread-safe (one checker owns it).
 */
public final class HealthState {
  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private HealthStatus status = HealthStatus.HEALTH_UNKNOWN;
  private int successes;
  private int failures;

  /** A state with the given thresholds (each at least 1). */
  public HealthState(int healthyThreshold, int unhealthyThreshold) {
    if (healthyThreshold < 1 || unhealthyThreshold < 1) {
      throw new IllegalArgumentException(
          "thresholds: " + healthyThreshold + "/" + unhealthyThreshold + " (expected: >= 1)");
    }
    this.healthyThreshold = healthyThreshold;
    this.unhealthyThreshold = unhealthyThreshold;
  }

  /** The current status. */
  public HealthStatus status() {
    return status;
  }

  /**
   * Records one result.
   *
   * @return the new status when it changed, else null
   */
  public @Nullable HealthStatus record(boolean passed) {
    if (passed) {
      successes++;
      failures = 0;
      if (status != HealthStatus.HEALTHY && successes >= healthyThreshold) {
        status = HealthStatus.HEALTHY;
        return status;
      }
    } else {
      failures++;
      successes = 0;
      if (status != HealthStatus.UNHEALTHY && failures >= unhealthyThreshold) {
        status = HealthStatus.UNHEALTHY;
        return status;
      }
    }
    return null;
  }
}
