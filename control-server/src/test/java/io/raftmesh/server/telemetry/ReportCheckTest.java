package io.raftmesh.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.ReportTelemetryRequest;
import io.raftmesh.proto.v1.TrafficDirection;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ReportCheckTest {
  private static final EdgeTraffic GOOD =
      SlidingWindowTest.edge(
          TrafficDirection.TRAFFIC_DIRECTION_OUTBOUND, "shop/web", "shop/api", 5, 4, 3, 2);

  private static String error(UnaryOperator<EdgeTraffic.Builder> change) {
    ReportTelemetryRequest r =
        ReportTelemetryRequest.newBuilder()
            .addEdges(GOOD)
            .addEdges(change.apply(GOOD.toBuilder()))
            .build();
    try {
      ReportCheck.validate(r, "node-a");
    } catch (IllegalArgumentException e) {
      return String.valueOf(e.getMessage());
    }
    return "accepted";
  }

  @Test
  void acceptsAWellFormedReportAndAnUnknownInboundCaller() {
    assertThat(error(b -> b)).isEqualTo("accepted");
    assertThat(
            error(
                b ->
                    b.setDirection(TrafficDirection.TRAFFIC_DIRECTION_INBOUND)
                        .setSource("unknown")))
        .isEqualTo("accepted");
  }

  @Test
  void namesTheFieldThatIsWrong() {
    assertThat(error(b -> b.setSuccesses(6)))
        .isEqualTo("edges[1].successes: 6 (expected: 0..requests 5)");
    assertThat(error(b -> b.setRequests(-1).setSuccesses(0)))
        .isEqualTo("edges[1].requests: -1 (expected: 0 or more)");
    assertThat(error(b -> b.setBucketCounts(1, -3)))
        .isEqualTo("edges[1].bucket_counts[1]: -3 (expected: 0 or more)");
    assertThat(error(b -> b.clearBucketCounts().addAllBucketCounts(java.util.List.of(1L, 2L))))
        .isEqualTo("edges[1].bucket_counts: 2 items (expected: 3, one per bound)");
    assertThat(error(b -> b.setBucketUpperBoundsSeconds(1, 0.001)))
        .isEqualTo(
            "edges[1].bucket_upper_bounds_seconds[1]: 0.001 (expected: above the previous bound"
                + " 0.01)");
    assertThat(error(b -> b.setDirection(TrafficDirection.TRAFFIC_DIRECTION_UNSPECIFIED)))
        .isEqualTo(
            "edges[1].direction: TRAFFIC_DIRECTION_UNSPECIFIED (expected: INBOUND or OUTBOUND)");
    assertThat(error(b -> b.setSource("unknown")))
        .isEqualTo("edges[1].source: \"unknown\" (expected: namespace/name)");
    assertThat(error(b -> b.setDestination("api")))
        .isEqualTo("edges[1].destination: \"api\" (expected: namespace/name)");
  }

  @Test
  void refusesAReportNamingAnotherNode() {
    assertThatThrownBy(
            () ->
                ReportCheck.validate(
                    ReportTelemetryRequest.newBuilder().setNode("node-b").build(), "node-a"))
        .hasMessage("node: \"node-b\" (expected: empty or the caller's node \"node-a\")");
    assertThatCode(
            () ->
                ReportCheck.validate(
                    ReportTelemetryRequest.newBuilder().setNode("node-a").build(), "node-a"))
        .doesNotThrowAnyException();
  }
}
