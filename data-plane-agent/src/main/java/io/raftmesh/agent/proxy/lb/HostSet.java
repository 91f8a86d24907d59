package io.raftmesh.agent.proxy.lb;

import io.netty.util.concurrent.FastThreadLocal;
import io.raftmesh.agent.proxy.config.DestinationConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The hosts a route target can reach (a service, or one subset of it) with their load balancer.
 * Immutable; rebuilt on every config change. When no host is available (all ejected or failing
 * checks) it picks among all of them ("panic mode", as Envoy does) rather than failing every
 * request.
 */
public final class HostSet {
  private static final FastThreadLocal<boolean[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected boolean[] initialValue() {
          return new boolean[16];
        }
      };

  private final UpstreamHost[] hosts;
  private final LoadBalancer balancer;

  HostSet(List<UpstreamHost> hosts, DestinationConfig.Algorithm algorithm) {
    this.hosts = hosts.toArray(new UpstreamHost[0]);
    this.balancer = LoadBalancer.of(algorithm, this.hosts);
  }

  /** Whether the set has no hosts at all. */
  public boolean isEmpty() {
    return hosts.length == 0;
  }

  /** How many hosts the set has. */
  public int size() {
    return hosts.length;
  }

  /**
   * Picks a host, avoiding {@code avoid} (the previous attempt's host) when another is available.
   *
   * @return the host, or null when the set is empty
   */
  public @Nullable UpstreamHost pick(@Nullable CharSequence hashKey, @Nullable UpstreamHost avoid) {
    int len = hosts.length;
    if (len == 0) {
      return null;
    }
    boolean[] usable = SCRATCH.get();
    if (usable.length < len) {
      usable = new boolean[Math.max(len, usable.length * 2)];
      SCRATCH.set(usable);
    }
    long now = System.nanoTime();
    int n = 0;
    int avoidIndex = -1;
    for (int i = 0; i < len; i++) {
      boolean ok = hosts[i].available(now);
      usable[i] = ok;
      if (ok) {
        n++;
        if (hosts[i] == avoid) {
          avoidIndex = i;
        }
      }
    }
    if (n == 0) {
      for (int i = 0; i < len; i++) {
        usable[i] = true;
      }
      n = len;
    } else if (avoidIndex >= 0 && n > 1) {
      usable[avoidIndex] = false;
      n--;
    }
    return balancer.pick(hosts, usable, n, hashKey);
  }
}
