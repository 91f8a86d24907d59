package io.raftmesh.server.cli;

import com.google.protobuf.util.Durations;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.QueryTelemetryResponse;
import io.raftmesh.proto.v1.TrafficDirection;
import io.raftmesh.server.telemetry.Histogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The servers' telemetry windows merged into what {@code raftmesh stats} shows, as {@code linkerd
 * viz stat} does: one row per service from inbound summaries (what the service's own proxies saw,
 * the server side) and one row per edge from outbound summaries (what the callers' proxies saw).
 * Counts and histogram buckets add up exactly across servers and nodes; percentiles are read from
 * the merged buckets.
 */
final class TrafficStats {

  /**
   * One row.
   *
   * @param source the calling service (edges only; empty for service rows)
   * @param destination the service (service rows) or the called service (edges)
   * @param requests requests in the window
   * @param successes those answered below 500
   * @param latency the merged latency histogram
   */
  record Row(String source, String destination, long requests, long successes, Histogram latency) {
    /** Requests per second over {@code window}. */
    double rps(Duration window) {
      double s = window.toMillis() / 1000.0;
      return s <= 0 ? 0 : requests / s;
    }

    /** Successes / requests (NaN without requests). */
    double successRate() {
      return requests == 0 ? Double.NaN : (double) successes / requests;
    }
  }

  private final Duration window;
  private final List<Row> services;
  private final List<Row> edges;

  private TrafficStats(Duration window, List<Row> services, List<Row> edges) {
    this.window = window;
    this.services = services;
    this.edges = edges;
  }

  /**
   * Merges the windows of every server that answered; keeps rows touching {@code service} ({@code
   * namespace/name}) unless it is empty.
   */
  static TrafficStats merge(List<QueryTelemetryResponse> windows, String service) {
    Duration window = Duration.ZERO;
    Map<String, Acc> byService = new TreeMap<>();
    Map<String, Acc> byEdge = new TreeMap<>();
    for (QueryTelemetryResponse w : windows) {
      Duration covered = Duration.ofMillis(Durations.toMillis(w.getWindow()));
      if (covered.compareTo(window) > 0) {
        window = covered;
      }
      for (EdgeTraffic e : w.getEdgesList()) {
        if (e.getDirection() == TrafficDirection.TRAFFIC_DIRECTION_INBOUND) {
          if (service.isEmpty() || e.getDestination().equals(service)) {
            byService.computeIfAbsent(e.getDestination(), k -> new Acc("", k, e)).add(e);
          }
        } else if (e.getDirection() == TrafficDirection.TRAFFIC_DIRECTION_OUTBOUND) {
          if (service.isEmpty()
              || e.getSource().equals(service)
              || e.getDestination().equals(service)) {
            byEdge
                .computeIfAbsent(
                    e.getSource() + " " + e.getDestination(),
                    k -> new Acc(e.getSource(), e.getDestination(), e))
                .add(e);
          }
        }
      }
    }
    return new TrafficStats(window, rows(byService), rows(byEdge));
  }

  private static List<Row> rows(Map<String, Acc> accs) {
    List<Row> out = new ArrayList<>();
    for (Acc a : accs.values()) {
      out.add(new Row(a.source, a.destination, a.requests, a.successes, a.latency));
    }
    return out;
  }

  /** The span the counts cover (the longest any server reported). */
  Duration window() {
    return window;
  }

  /** Per-service rows (inbound), by service name. */
  List<Row> services() {
    return services;
  }

  /** Per-edge rows (outbound), by source then destination. */
  List<Row> edges() {
    return edges;
  }

  private static final class Acc {
    final String source;
    final String destination;
    long requests;
    long successes;
    final Histogram latency;

    Acc(String source, String destination, EdgeTraffic first) {
      this.source = source;
      this.destination = destination;
      this.latency = Histogram.withBounds(first.getBucketUpperBoundsSecondsList());
    }

    void add(EdgeTraffic e) {
      requests += e.getRequests();
      successes += e.getSuccesses();
      latency.add(e.getBucketUpperBoundsSecondsList(), e.getBucketCountsList());
    }
  }
}
