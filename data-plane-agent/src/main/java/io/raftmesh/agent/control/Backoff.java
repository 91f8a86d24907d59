package io.raftmesh.agent.control;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the n-th delay (from 0) is uniform in [c/2, c] where c =
 * min(max, min * 2^n). The random half keeps many agents that lost the same server from coming back
 * in lockstep; the fixed half keeps a retry from following a failure at once.
 */
public final class Backoff {
  private final Duration min;
  private final Duration max;
  private final RandomGenerator random;

  /** Delays from {@code min} growing to {@code max}. */
  public Backoff(Duration min, Duration max, RandomGenerator random) {
    this.min = requireNonNull(min, "min");
    this.max = requireNonNull(max, "max");
    this.random = requireNonNull(random, "random");
    if (min.isNegative() || min.isZero() || min.compareTo(max) > 0) {
      throw new IllegalArgumentException("min: " + min + " (expected: > 0 and <= max " + max + ")");
    }
  }

  /** The delay before retry number {@code attempt} (0 for the first retry). */
  public Duration delay(int attempt) {
    long ceiling = min.toNanos();
    for (int i = 0; i < attempt && ceiling < max.toNanos(); i++) {
      ceiling *= 2;
    }
    ceiling = Math.min(ceiling, max.toNanos());
    long half = ceiling / 2;
    return Duration.ofNanos(half + (long) (random.nextDouble() * (ceiling - half)));
  }

  /** The largest delay. */
  public Duration max() {
    return max;
  }
}
