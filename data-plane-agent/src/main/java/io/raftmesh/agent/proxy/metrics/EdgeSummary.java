package io.raftmesh.agent.proxy.metrics;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Traffic on one edge (source service to destination service, seen in one direction) since the
 * previous summary. The agent sends these to the control plane every few seconds; they are deltas,
 * so the receiver adds them up.
 *
 * @param direction "inbound" (seen by the destination's proxy) or "outbound" (by the source's)
 * @param source the calling service ("ns/name"), or "unknown" for unauthenticated callers
 * @param destination the called service ("ns/name")
 * @param requests completed requests (or TCP connections)
 * @param successes requests answered with a status below 500 (connections closed cleanly)
 * @param bucketUpperBoundsSeconds latency bucket bounds; the last is +Inf
 * @param bucketCounts requests per bucket (not cumulative), same length as the bounds
 */
public record EdgeSummary(
    String direction,
    String source,
    String destination,
    long requests,
    long successes,
    List<Double> bucketUpperBoundsSeconds,
    List<Long> bucketCounts) {

  /** Copies the lists. */
  public EdgeSummary {
    requireNonNull(direction, "direction");
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    bucketUpperBoundsSeconds = List.copyOf(bucketUpperBoundsSeconds);
    bucketCounts = List.copyOf(bucketCounts);
    if (bucketUpperBoundsSeconds.size() != bucketCounts.size()) {
      throw new IllegalArgumentException(
          "bucketCounts: " + bucketCounts.size() + " entries (expected: one per bound)");
    }
  }

  /** The latency below which {@code q} (0..1) of the requests fell, from the buckets. */
  public double quantileSeconds(double q) {
    long total = 0;
    for (long c : bucketCounts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long acc = 0;
    for (int i = 0; i < bucketCounts.size(); i++) {
      acc += bucketCounts.get(i);
      if (acc >= rank) {
        return bucketUpperBoundsSeconds.get(i);
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
