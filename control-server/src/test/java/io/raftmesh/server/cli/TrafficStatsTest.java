package io.raftmesh.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.util.Durations;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.QueryTelemetryResponse;
import io.raftmesh.proto.v1.TrafficDirection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficStatsTest {
  private static final List<Double> BOUNDS = List.of(0.001, 0.01, Double.POSITIVE_INFINITY);

  private static EdgeTraffic edge(
      TrafficDirection d, String src, String dst, long requests, long ok, List<Long> buckets) {
    return EdgeTraffic.newBuilder()
        .setDirection(d)
        .setSource(src)
        .setDestination(dst)
        .setRequests(requests)
        .setSuccesses(ok)
        .addAllBucketUpperBoundsSeconds(BOUNDS)
        .addAllBucketCounts(buckets)
        .build();
  }

  private static QueryTelemetryResponse server(String id, long windowSeconds, EdgeTraffic... e) {
    return QueryTelemetryResponse.newBuilder()
        .setServerId(id)
        .setWindow(Durations.fromSeconds(windowSeconds))
        .addAllEdges(List.of(e))
        .build();
  }

  private static final TrafficDirection IN = TrafficDirection.TRAFFIC_DIRECTION_INBOUND;
  private static final TrafficDirection OUT = TrafficDirection.TRAFFIC_DIRECTION_OUTBOUND;

  private final List<QueryTelemetryResponse> windows =
      List.of(
          server(
              "n1",
              60,
              edge(IN, "shop/web", "shop/api", 60, 60, List.of(60L, 0L, 0L)),
              edge(OUT, "shop/web", "shop/api", 60, 60, List.of(0L, 60L, 0L))),
          server(
              "n2",
              40,
              // the same service seen by another api node, and a second caller
              edge(IN, "shop/cart", "shop/api", 60, 30, List.of(0L, 60L, 0L)),
              edge(IN, "shop/api", "shop/db", 6, 6, List.of(6L, 0L, 0L)),
              edge(OUT, "shop/web", "shop/api", 30, 30, List.of(0L, 30L, 0L))));

  @Test
  void servicesComeFromInboundSummariesMergedAcrossServersAndCallers() {
    TrafficStats s = TrafficStats.merge(windows, "");
    assertThat(s.window()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.services())
        .extracting(TrafficStats.Row::destination)
        .containsExactly("shop/api", "shop/db");
    TrafficStats.Row api = s.services().get(0);
    assertThat(api.requests()).isEqualTo(120);
    assertThat(api.rps(s.window())).isEqualTo(2.0);
    assertThat(api.successRate()).isEqualTo(0.75);
    // 60 in (0, 1ms], 60 in (1ms, 10ms]: the median is the top of the first bucket,
    // p99 interpolates 98.8 % of the way through the second.
    assertThat(api.latency().quantile(0.5)).isCloseTo(0.001, within(1e-12));
    assertThat(api.latency().quantile(0.99))
        .isCloseTo(0.001 + 0.009 * (118.8 - 60) / 60, within(1e-12));
  }

  @Test
  void edgesComeFromOutboundSummariesAndAFilterKeepsRowsTouchingTheService() {
    TrafficStats s = TrafficStats.merge(windows, "shop/db");
    assertThat(s.services()).extracting(TrafficStats.Row::destination).containsExactly("shop/db");
    assertThat(s.edges()).isEmpty();

    TrafficStats all = TrafficStats.merge(windows, "");
    assertThat(all.edges())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.source()).isEqualTo("shop/web");
              assertThat(e.destination()).isEqualTo("shop/api");
              assertThat(e.requests()).isEqualTo(90);
            });
  }

  @Test
  void theTableShowsRatesPercentagesAndLatencies() {
    String table =
        StatsCommand.table(
            TrafficStats.merge(windows, ""),
            List.of(
                new StatsCommand.Answer("n1", "a:1", windows.get(0), ""),
                new StatsCommand.Answer(
                    "n3", "c:1", QueryTelemetryResponse.getDefaultInstance(), "UNAVAILABLE")));
    assertThat(table)
        .contains("Window: 60.0s, servers: n1, n3 (no answer)")
        .containsPattern("shop/api\\s+120\\s+2\\.00\\s+75\\.00%\\s+1\\.0ms\\s+9\\.8ms")
        .containsPattern("shop/web\\s+shop/api\\s+90\\s+1\\.50\\s+100\\.00%");
  }

  private static String usageError(String... args) {
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        RaftmeshMain.run(
            args,
            java.util.Map.of(),
            new java.io.PrintWriter(new java.io.StringWriter()),
            new java.io.PrintWriter(err));
    assertThat(code).as(err.toString()).isEqualTo(RaftmeshMain.USAGE);
    return err.toString();
  }

  @Test
  void badArgumentsAreUsageErrorsBeforeAnyServerIsAsked() {
    String[] servers = {"--servers", "127.0.0.1:1", "--tls-dir", "/nonexistent"};
    assertThat(usageError(concat(new String[] {"stats", "web"}, servers)))
        .contains("SERVICE=web is not valid: expected namespace/name");
    assertThat(usageError(concat(new String[] {"stats", "-o", "yaml"}, servers)))
        .contains("--output=yaml is not valid: expected table or json");
    assertThat(usageError(concat(new String[] {"stats", "--window", "0s"}, servers)))
        .contains("--window=0s is not valid");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
