package io.raftmesh.agent.cert;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When to renew a certificate: at a random point between 50% and 80% of its lifetime, counted from
 * when the agent received it (the CA backdates notBefore, so notBefore would make a short
 * certificate look half spent on arrival). The spread keeps a fleet of agents, enrolled together,
 * from renewing together; renewing well before expiry leaves time for retries against other
 * servers, and the rest is the outage budget.
 */
public final class RefreshSchedule {
  /** Earliest point of the lifetime at which a certificate is renewed. */
  public static final double MIN_FRACTION = 0.5;

  /** Latest point of the lifetime at which a certificate is renewed. */
  public static final double MAX_FRACTION = 0.8;

  private RefreshSchedule() {}

  /**
   * The renewal time of a certificate valid from {@code start} to {@code notAfter}; {@code u} in
   * [0, 1) picks the point in the window.
   */
  public static Instant refreshAt(Instant start, Instant notAfter, double u) {
    if (u < 0 || u >= 1) {
      throw new IllegalArgumentException("u: " + u + " (expected: in [0, 1))");
    }
    Duration lifetime = Duration.between(start, notAfter);
    if (lifetime.isNegative() || lifetime.isZero()) {
      return start;
    }
    double fraction = MIN_FRACTION + (MAX_FRACTION - MIN_FRACTION) * u;
    return start.plusNanos((long) (lifetime.toNanos() * fraction));
  }

  /** {@link #refreshAt(Instant, Instant, double)} with a random point. */
  public static Instant refreshAt(Instant start, Instant notAfter, RandomGenerator random) {
    return refreshAt(start, notAfter, random.nextDouble());
  }
}
