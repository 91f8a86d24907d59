package io.raftmesh.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.TrafficDirection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
  private static final List<Double> BOUNDS = List.of(0.01, 0.1, Double.POSITIVE_INFINITY);

  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    private long millis = 1_000_000_000L; // a multiple of the 10 s slot

    void advance(Duration d) {
      millis += d.toMillis();
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private final HandClock clock = new HandClock();

  static EdgeTraffic edge(
      TrafficDirection d, String src, String dst, long requests, long ok, long fast, long slow) {
    return EdgeTraffic.newBuilder()
        .setDirection(d)
        .setSource(src)
        .setDestination(dst)
        .setRequests(requests)
        .setSuccesses(ok)
        .addAllBucketUpperBoundsSeconds(BOUNDS)
        .addAllBucketCounts(List.of(fast, slow, 0L))
        .build();
  }

  private static EdgeTraffic in(String src, String dst, long requests, long ok) {
    return edge(TrafficDirection.TRAFFIC_DIRECTION_INBOUND, src, dst, requests, ok, requests, 0);
  }

  @Test
  void sumsReportsOfOneEdgeFromSeveralNodesAndSlots() {
    SlidingWindow w = SlidingWindow.of(clock, Duration.ofSeconds(60), 100);
    w.record("node-a", List.of(in("shop/web", "shop/api", 10, 9)));
    clock.advance(Duration.ofSeconds(15));
    w.record("node-b", List.of(in("shop/web", "shop/api", 5, 5)));

    SlidingWindow.Snapshot s = w.query(Duration.ZERO, "");
    assertThat(s.edges()).hasSize(1);
    assertThat(s.edges().get(0).getRequests()).isEqualTo(15);
    assertThat(s.edges().get(0).getSuccesses()).isEqualTo(14);
    assertThat(s.edges().get(0).getBucketCountsList()).containsExactly(15L, 0L, 0L);
    assertThat(s.reportingNodes()).isEqualTo(2);
    assertThat(s.covered()).isEqualTo(Duration.ofSeconds(15)); // since the window started
  }

  @Test
  void dataOlderThanTheRetentionExpiresAndAShortQueryOnlySeesRecentSlots() {
    SlidingWindow w = SlidingWindow.of(clock, Duration.ofSeconds(60), 100);
    w.record("node-a", List.of(in("shop/web", "shop/api", 7, 7)));
    clock.advance(Duration.ofSeconds(40));
    w.record("node-a", List.of(in("shop/web", "shop/api", 3, 3)));

    assertThat(w.query(Duration.ofSeconds(10), "").edges().get(0).getRequests()).isEqualTo(3);
    assertThat(w.query(Duration.ofSeconds(10), "").covered()).isEqualTo(Duration.ofSeconds(10));
    assertThat(w.query(Duration.ofSeconds(60), "").edges().get(0).getRequests()).isEqualTo(10);

    assertThat(w.query(Duration.ofSeconds(60), "").covered()).isEqualTo(Duration.ofSeconds(40));

    // At t=65s the first slot (t=0..10s) still overlaps the last 60 s: the answer covers 65 s.
    clock.advance(Duration.ofSeconds(25));
    assertThat(w.query(Duration.ZERO, "").edges().get(0).getRequests()).isEqualTo(10);
    assertThat(w.query(Duration.ZERO, "").covered()).isEqualTo(Duration.ofSeconds(65));
    // At t=75s it no longer does, and it is gone.
    clock.advance(Duration.ofSeconds(10));
    assertThat(w.query(Duration.ZERO, "").edges().get(0).getRequests()).isEqualTo(3);
    assertThat(w.query(Duration.ZERO, "").covered()).isEqualTo(Duration.ofSeconds(65));

    clock.advance(Duration.ofSeconds(60));
    assertThat(w.query(Duration.ZERO, "").edges()).isEmpty();
    assertThat(w.edges()).isZero();
  }

  @Test
  void newEdgesBeyondTheCapAreDroppedAndCountedWhileKnownEdgesKeepAddingUp() {
    SlidingWindow w = SlidingWindow.of(clock, Duration.ofSeconds(60), 2);
    SlidingWindow.Recorded r =
        w.record(
            "node-a",
            List.of(
                in("shop/a", "shop/api", 1, 1),
                in("shop/b", "shop/api", 1, 1),
                in("shop/c", "shop/api", 1, 1)));
    assertThat(r.accepted()).isEqualTo(2);
    assertThat(r.dropped()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(20)); // a new slot: the known edges still count
    r = w.record("node-a", List.of(in("shop/a", "shop/api", 4, 4), in("shop/d", "shop/api", 1, 1)));
    assertThat(r.accepted()).isEqualTo(1);
    assertThat(w.dropped()).isEqualTo(2);
    assertThat(w.edges()).isEqualTo(2);
    assertThat(w.query(Duration.ZERO, "shop/a").edges())
        .singleElement()
        .satisfies(e -> assertThat(e.getRequests()).isEqualTo(5));

    clock.advance(Duration.ofSeconds(70)); // everything expired: room again
    assertThat(w.record("node-a", List.of(in("shop/d", "shop/api", 1, 1))).accepted()).isEqualTo(1);
  }

  @Test
  void aServiceFilterKeepsEdgesFromOrToIt() {
    SlidingWindow w = SlidingWindow.of(clock, Duration.ofSeconds(60), 100);
    w.record(
        "node-a",
        List.of(
            in("shop/web", "shop/api", 1, 1),
            in("shop/api", "shop/db", 2, 2),
            in("shop/web", "shop/cart", 3, 3)));
    assertThat(w.query(Duration.ZERO, "shop/api").edges())
        .extracting(EdgeTraffic::getRequests)
        .containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void aClockSteppingBackAddsToTheNewestSlot() {
    SlidingWindow w = SlidingWindow.of(clock, Duration.ofSeconds(60), 100);
    clock.advance(Duration.ofSeconds(20));
    w.record("node-a", List.of(in("shop/web", "shop/api", 1, 1)));
    clock.advance(Duration.ofSeconds(-15));
    w.record("node-a", List.of(in("shop/web", "shop/api", 1, 1)));
    clock.advance(Duration.ofSeconds(15));
    assertThat(w.query(Duration.ZERO, "").edges().get(0).getRequests()).isEqualTo(2);
  }
}
