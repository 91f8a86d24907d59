package io.raftmesh.agent.proxy.resilience;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter").
 */
public final class Backoff {
  private Backoff() {}

  /**
   * The delay before retry number {@code retry} (1 for the first retry): uniform in [0, min(max,
   * base x 2^(retry-1))].
   */
  public static long delayNanos(int retry, long baseNanos, long maxNanos) {
    if (baseNanos <= 0) {
      return 0;
    }
    int shift = Math.min(Math.max(retry - 1, 0), 30);
    long ceiling = baseNanos << shift;
    if (ceiling <= 0 || ceiling > maxNanos) {
      ceiling = maxNanos;
    }
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }
}
