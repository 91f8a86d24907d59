package io.raftmesh.chaos.traffic;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How much traffic to send.
 *
 * @param workers concurrent clients, each with one operation outstanding
 * @param duration how long to send
 * @param ratePerWorker operations per second per worker (0: as fast as they complete)
 * @param maxOps stop after this many operations in all (0: no limit)
 * @param seed seeds each worker's random source ({@code seed + worker})
 */
public record TrafficConfig(
    int workers, Duration duration, double ratePerWorker, long maxOps, long seed) {
  /** Validates. */
  public TrafficConfig {
    requireNonNull(duration, "duration");
    if (workers < 1) {
      throw new IllegalArgumentException("workers: " + workers + " (expected: >= 1)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    if (ratePerWorker < 0 || maxOps < 0) {
      throw new IllegalArgumentException(
          "ratePerWorker/maxOps: " + ratePerWorker + "/" + maxOps + " (expected: >= 0)");
    }
  }
}
