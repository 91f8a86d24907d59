package io.raftmesh.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.TrafficDirection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One server's recent edge traffic: time slots of {@code slotWidth} (by the server's clock when a
 * report arrives), the newest {@code slots} of them kept, older ones dropped whole. Memory is
 * bounded: at most {@code maxEdges} distinct edges live in the window at once; a summary for a new
 * edge beyond that is dropped and counted, while edges already in the window keep adding up.
 * Thread-safe (one lock: reports are a few per agent every few seconds).
 */
final class SlidingWindow {

  /** One edge in one direction. */
  record EdgeKey(TrafficDirection direction, String source, String destination) {}

  /** What a query returns: the edges summed over the slots, and the time span they cover. */
  record Snapshot(Duration covered, List<EdgeTraffic> edges, int reportingNodes) {}

  /** The outcome of recording a report. */
  record Recorded(int accepted, int dropped) {}

  private static final class Counts {
    long requests;
    long successes;
    final Histogram latency;

    Counts(List<Double> bounds) {
      latency = Histogram.withBounds(bounds);
    }

    void add(EdgeTraffic e) {
      requests += e.getRequests();
      successes += e.getSuccesses();
      latency.add(e.getBucketUpperBoundsSecondsList(), e.getBucketCountsList());
    }
  }

  private static final class Slot {
    final long index;
    final Map<EdgeKey, Counts> edges = new HashMap<>();
    final Set<String> nodes = new HashSet<>();

    Slot(long index) {
      this.index = index;
    }
  }

  private final Clock clock;
  private final long slotMillis;
  private final int slots;
  private final int maxEdges;
  private final long startedMillis;
  private final ArrayDeque<Slot> window = new ArrayDeque<>();
  // How many live slots hold each edge: the edge cap counts distinct edges.
  private final Map<EdgeKey, Integer> live = new HashMap<>();
  private long dropped;

  SlidingWindow(Clock clock, Duration slotWidth, int slots, int maxEdges) {
    this.clock = requireNonNull(clock, "clock");
    if (slotWidth.toMillis() < 1) {
      throw new IllegalArgumentException("slotWidth: " + slotWidth + " (expected: at least 1ms)");
    }
    if (slots < 1) {
      throw new IllegalArgumentException("slots: " + slots + " (expected: at least 1)");
    }
    if (maxEdges < 1) {
      throw new IllegalArgumentException("maxEdges: " + maxEdges + " (expected: at least 1)");
    }
    this.slotMillis = slotWidth.toMillis();
    this.slots = slots;
    this.maxEdges = maxEdges;
    this.startedMillis = clock.millis();
  }

  /**
   * A window keeping {@code retention} in slots of {@code retention / 6} (at least one second),
   * plus the slot in progress, so that a query for the whole retention covers at least that long.
   */
  static SlidingWindow of(Clock clock, Duration retention, int maxEdges) {
    Duration width = retention.dividedBy(6);
    if (width.compareTo(Duration.ofSeconds(1)) < 0) {
      width = Duration.ofSeconds(1);
    }
    long n = Math.max(1, (retention.toMillis() + width.toMillis() - 1) / width.toMillis());
    return new SlidingWindow(clock, width, (int) n + 1, maxEdges);
  }

  /** The longest span a query is sure to cover. */
  Duration retention() {
    return Duration.ofMillis(slotMillis * (slots - 1L));
  }

  /** Adds a validated report of {@code node} to the current slot. */
  synchronized Recorded record(String node, List<EdgeTraffic> edges) {
    Slot slot = current();
    int accepted = 0;
    int refused = 0;
    for (EdgeTraffic e : edges) {
      EdgeKey key = new EdgeKey(e.getDirection(), e.getSource(), e.getDestination());
      Counts counts = slot.edges.get(key);
      if (counts == null) {
        if (!live.containsKey(key) && live.size() >= maxEdges) {
          refused++;
          continue;
        }
        counts = new Counts(e.getBucketUpperBoundsSecondsList());
        slot.edges.put(key, counts);
        live.merge(key, 1, Integer::sum);
      }
      counts.add(e);
      accepted++;
    }
    if (accepted > 0) {
      slot.nodes.add(node);
    }
    dropped += refused;
    return new Recorded(accepted, refused);
  }

  /**
   * The edges of the slots overlapping the last {@code span} (zero or longer than the retention:
   * the retention), filtered to edges touching {@code service} unless it is empty, in a stable
   * order, with the exact span those slots cover (from the oldest slot's start, or the window's
   * creation, to now).
   */
  synchronized Snapshot query(Duration span, String service) {
    long now = clock.millis();
    long currentIndex = Math.floorDiv(now, slotMillis);
    expire(currentIndex);
    Duration want =
        span.isZero() || span.isNegative() || span.compareTo(retention()) > 0 ? retention() : span;
    // The oldest slot that overlaps [now - want, now], so the answer covers at least `want`
    // (once the server has been collecting that long).
    long oldest =
        Math.max(Math.floorDiv(now - want.toMillis(), slotMillis), currentIndex - slots + 1);
    long from = Math.max(oldest * slotMillis, startedMillis);
    Map<EdgeKey, Counts> sum = new LinkedHashMap<>();
    Set<String> nodes = new HashSet<>();
    for (Slot s : window) {
      if (s.index < oldest) {
        continue;
      }
      nodes.addAll(s.nodes);
      for (Map.Entry<EdgeKey, Counts> e : s.edges.entrySet()) {
        EdgeKey key = e.getKey();
        if (!service.isEmpty()
            && !key.source().equals(service)
            && !key.destination().equals(service)) {
          continue;
        }
        Counts c = e.getValue();
        Counts into = sum.computeIfAbsent(key, x -> new Counts(c.latency.bounds()));
        into.requests += c.requests;
        into.successes += c.successes;
        into.latency.add(c.latency);
      }
    }
    List<EdgeTraffic> out = new ArrayList<>();
    sum.entrySet().stream()
        .sorted(
            Comparator.comparing((Map.Entry<EdgeKey, Counts> e) -> e.getKey().direction())
                .thenComparing(e -> e.getKey().source())
                .thenComparing(e -> e.getKey().destination()))
        .forEach(
            e ->
                out.add(
                    EdgeTraffic.newBuilder()
                        .setDirection(e.getKey().direction())
                        .setSource(e.getKey().source())
                        .setDestination(e.getKey().destination())
                        .setRequests(e.getValue().requests)
                        .setSuccesses(e.getValue().successes)
                        .addAllBucketUpperBoundsSeconds(e.getValue().latency.bounds())
                        .addAllBucketCounts(e.getValue().latency.counts())
                        .build()));
    return new Snapshot(Duration.ofMillis(Math.max(0, now - from)), out, nodes.size());
  }

  /** Summaries dropped by the edge cap since start. */
  synchronized long dropped() {
    return dropped;
  }

  /** Distinct edges in the window now. */
  synchronized int edges() {
    expire(Math.floorDiv(clock.millis(), slotMillis));
    return live.size();
  }

  private Slot current() {
    long index = Math.floorDiv(clock.millis(), slotMillis);
    expire(index);
    Slot last = window.peekLast();
    if (last != null && last.index >= index) {
      return last; // same slot, or the clock stepped back: keep adding to the newest
    }
    Slot s = new Slot(index);
    window.addLast(s);
    return s;
  }

  private void expire(long currentIndex) {
    while (!window.isEmpty() && window.peekFirst().index <= currentIndex - slots) {
      Slot old = window.removeFirst();
      for (EdgeKey key : old.edges.keySet()) {
        live.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
      }
    }
  }
}
