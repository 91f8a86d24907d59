package io.raftmesh.agent.telemetry;

import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.TrafficDirection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Edge summaries drained from the proxy and not yet delivered, merged per edge (counts and buckets
 * add up), bounded in age and in edges. Summaries older than {@code maxAge} are dropped whole at
 * the next {@link #add} (the servers would count late traffic as current, and after a long outage
 * it is history, not live data); new edges beyond {@code maxEdges} are dropped. Both are counted.
 * Not thread-safe: the sender's one thread owns it.
 */
final class PendingTraffic {
  private record Key(TrafficDirection direction, String source, String destination) {}

  private final Duration maxAge;
  private final int maxEdges;
  private final Map<Key, EdgeTraffic> edges = new LinkedHashMap<>();
  private Instant since = Instant.EPOCH;
  private long droppedAged;
  private long droppedFull;

  PendingTraffic(Duration maxAge, int maxEdges) {
    this.maxAge = maxAge;
    this.maxEdges = maxEdges;
  }

  /**
   * Adds the summaries of the interval ending {@code now}; first drops what is pending since before
   * {@code now - maxAge}.
   */
  void add(List<EdgeTraffic> drained, Instant intervalStart, Instant now) {
    if (!edges.isEmpty() && since.isBefore(now.minus(maxAge))) {
      droppedAged += edges.size();
      edges.clear();
    }
    if (edges.isEmpty()) {
      since = intervalStart;
    }
    for (EdgeTraffic e : drained) {
      Key key = new Key(e.getDirection(), e.getSource(), e.getDestination());
      EdgeTraffic old = edges.get(key);
      if (old == null) {
        if (edges.size() >= maxEdges) {
          droppedFull++;
          continue;
        }
        edges.put(key, e);
      } else {
        edges.put(key, merge(old, e));
      }
    }
  }

  private static EdgeTraffic merge(EdgeTraffic a, EdgeTraffic b) {
    if (!a.getBucketUpperBoundsSecondsList().equals(b.getBucketUpperBoundsSecondsList())) {
      return b; // the proxy's buckets never change; if they did, keep the newer summary
    }
    EdgeTraffic.Builder m =
        a.toBuilder()
            .setRequests(a.getRequests() + b.getRequests())
            .setSuccesses(a.getSuccesses() + b.getSuccesses())
            .clearBucketCounts();
    for (int i = 0; i < a.getBucketCountsCount(); i++) {
      m.addBucketCounts(a.getBucketCounts(i) + b.getBucketCounts(i));
    }
    return m.build();
  }

  /** What to send now. */
  List<EdgeTraffic> edges() {
    return new ArrayList<>(edges.values());
  }

  /** The start of the oldest interval pending. */
  Instant since() {
    return since;
  }

  boolean isEmpty() {
    return edges.isEmpty();
  }

  /** Delivered (or refused for good): forget it. */
  void clear() {
    edges.clear();
  }

  /** Edge summaries dropped for age since start. */
  long droppedAged() {
    return droppedAged;
  }

  /** Edge summaries dropped because {@code maxEdges} were pending. */
  long droppedFull() {
    return droppedFull;
  }
}
