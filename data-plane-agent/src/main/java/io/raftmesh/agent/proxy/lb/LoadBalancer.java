package io.raftmesh.agent.proxy.lb;

import io.raftmesh.agent.proxy.config.DestinationConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Picks one host among the available ones of a host set. Implementations never allocate and never
 * block; they see the availability mask the caller computed for this pick.
 */
interface LoadBalancer {

  /**
   * Picks a host.
   *
   * @param hosts all hosts of the set
   * @param usable which hosts may be picked now (at least one is true)
   * @param usableCount how many entries of {@code usable} are true
   * @param hashKey the request's hash key for ring hashing, or null
   */
  UpstreamHost pick(
      UpstreamHost[] hosts, boolean[] usable, int usableCount, @Nullable CharSequence hashKey);

  /** The balancer for {@code algorithm} over {@code hosts}. */
  static LoadBalancer of(DestinationConfig.Algorithm algorithm, UpstreamHost[] hosts) {
    switch (algorithm) {
      case ROUND_ROBIN:
        return new RoundRobin();
      case LEAST_REQUEST:
        return (h, u, n, k) -> p2c(h, u, n, false);
      case RING_HASH:
        return new RingHash(hosts);
      default:
        return (h, u, n, k) -> p2c(h, u, n, true);
    }
  }

  /** The {@code k}-th usable host (0-based). */
  static UpstreamHost nth(UpstreamHost[] hosts, boolean[] usable, int k) {
    for (int i = 0; i < hosts.length; i++) {
      if (usable[i] && k-- == 0) {
        return hosts[i];
      }
    }
    throw new IllegalStateException("k beyond usable hosts");
  }

  /** Power of two choices by outstanding requests or by peak-EWMA cost. */
  static UpstreamHost p2c(UpstreamHost[] hosts, boolean[] usable, int n, boolean ewma) {
    if (n == 1) {
      return nth(hosts, usable, 0);
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    int a = rnd.nextInt(n);
    int b = rnd.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    UpstreamHost x = nth(hosts, usable, a);
    UpstreamHost y = nth(hosts, usable, b);
    if (ewma) {
      return x.peakEwmaCost() <= y.peakEwmaCost() ? x : y;
    }
    return x.outstanding() <= y.outstanding() ? x : y;
  }

  /** Each usable host in turn. */
  final class RoundRobin implements LoadBalancer {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public UpstreamHost pick(
        UpstreamHost[] hosts, boolean[] usable, int n, @Nullable CharSequence hashKey) {
      return nth(hosts, usable, Math.floorMod(next.getAndIncrement(), n));
    }
  }
}
