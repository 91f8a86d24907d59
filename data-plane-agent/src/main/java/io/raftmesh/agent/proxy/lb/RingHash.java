package io.raftmesh.agent.proxy.lb;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing: each host owns {@code 64 x weight} points on a 64-bit ring; a key goes to the
 * first usable host clockwise from its hash. Removing a host moves only its own keys. Requests
 * without the key get a random host.
 */
final class RingHash implements LoadBalancer {
  private static final int POINTS_PER_WEIGHT = 64;

  private final long[] points;
  private final int[] owners;

  RingHash(UpstreamHost[] hosts) {
    int total = 0;
    for (UpstreamHost h : hosts) {
      total += POINTS_PER_WEIGHT * Math.min(h.config().weight(), 16);
    }
    long[] hashes = new long[total];
    int[] who = new int[total];
    int k = 0;
    for (int i = 0; i < hosts.length; i++) {
      int n = POINTS_PER_WEIGHT * Math.min(hosts[i].config().weight(), 16);
      for (int j = 0; j < n; j++) {
        hashes[k] = hash(hosts[i].hostPort() + "#" + j);
        who[k] = i;
        k++;
      }
    }
    Integer[] order = new Integer[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compareUnsigned(hashes[a], hashes[b]));
    points = new long[total];
    owners = new int[total];
    for (int i = 0; i < total; i++) {
      points[i] = hashes[order[i]];
      owners[i] = who[order[i]];
    }
  }

  @Override
  public UpstreamHost pick(
      UpstreamHost[] hosts, boolean[] usable, int n, @Nullable CharSequence hashKey) {
    if (hashKey == null || points.length == 0) {
      return LoadBalancer.nth(hosts, usable, ThreadLocalRandom.current().nextInt(n));
    }
    long h = hash(hashKey);
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(points[mid], h) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int step = 0; step < points.length; step++) {
      int owner = owners[(lo + step) % points.length];
      if (usable[owner]) {
        return hosts[owner];
      }
    }
    return LoadBalancer.nth(hosts, usable, 0);
  }

  /** 64-bit FNV-1a over the UTF-16 code units, finished with a murmur mix for spread. */
  static long hash(CharSequence s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
