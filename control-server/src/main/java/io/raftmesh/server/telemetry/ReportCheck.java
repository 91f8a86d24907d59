package io.raftmesh.server.telemetry;

import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.ReportTelemetryRequest;
import io.raftmesh.proto.v1.TrafficDirection;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Validates a report before anything of it is stored: every field of every edge, with the first
 * problem as {@code <field path>: <value> (expected: <constraint>)}.
 */
final class ReportCheck {
  static final int MAX_EDGES = 1000;
  static final int MAX_BUCKETS = 64;
  static final String UNKNOWN = "unknown";
  // namespace/name, both DNS labels (as Service resources are named).
  private static final Pattern SERVICE =
      Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private ReportCheck() {}

  /**
   * Checks {@code request} of node {@code node}.
   *
   * @throws IllegalArgumentException naming the first bad field
   */
  static void validate(ReportTelemetryRequest request, String node) {
    if (!request.getNode().isEmpty() && !request.getNode().equals(node)) {
      fail("node", quote(request.getNode()), "empty or the caller's node " + quote(node));
    }
    int n = request.getEdgesCount();
    if (n > MAX_EDGES) {
      fail("edges", n + " items", "at most " + MAX_EDGES);
    }
    for (int i = 0; i < n; i++) {
      edge("edges[" + i + "]", request.getEdges(i));
    }
  }

  private static void edge(String at, EdgeTraffic e) {
    TrafficDirection d = e.getDirection();
    if (d != TrafficDirection.TRAFFIC_DIRECTION_INBOUND
        && d != TrafficDirection.TRAFFIC_DIRECTION_OUTBOUND) {
      fail(at + ".direction", String.valueOf(d), "INBOUND or OUTBOUND");
    }
    boolean unknownSource =
        d == TrafficDirection.TRAFFIC_DIRECTION_INBOUND && e.getSource().equals(UNKNOWN);
    if (!unknownSource && !SERVICE.matcher(e.getSource()).matches()) {
      fail(
          at + ".source",
          quote(e.getSource()),
          "namespace/name"
              + (d == TrafficDirection.TRAFFIC_DIRECTION_INBOUND ? " or unknown" : ""));
    }
    if (!SERVICE.matcher(e.getDestination()).matches()) {
      fail(at + ".destination", quote(e.getDestination()), "namespace/name");
    }
    if (e.getRequests() < 0) {
      fail(at + ".requests", String.valueOf(e.getRequests()), "0 or more");
    }
    if (e.getSuccesses() < 0 || e.getSuccesses() > e.getRequests()) {
      fail(at + ".successes", String.valueOf(e.getSuccesses()), "0..requests " + e.getRequests());
    }
    List<Double> bounds = e.getBucketUpperBoundsSecondsList();
    if (bounds.size() > MAX_BUCKETS) {
      fail(at + ".bucket_upper_bounds_seconds", bounds.size() + " items", "at most " + MAX_BUCKETS);
    }
    @Nullable String problem = Histogram.checkBounds(bounds);
    if (problem != null) {
      throw new IllegalArgumentException(at + ".bucket_upper_bounds_seconds" + problem);
    }
    if (e.getBucketCountsCount() != bounds.size()) {
      fail(
          at + ".bucket_counts",
          e.getBucketCountsCount() + " items",
          bounds.size() + ", one per bound");
    }
    for (int j = 0; j < e.getBucketCountsCount(); j++) {
      if (e.getBucketCounts(j) < 0) {
        fail(at + ".bucket_counts[" + j + "]", String.valueOf(e.getBucketCounts(j)), "0 or more");
      }
    }
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static void fail(String field, String value, String expected) {
    throw new IllegalArgumentException(field + ": " + value + " (expected: " + expected + ")");
  }
}
