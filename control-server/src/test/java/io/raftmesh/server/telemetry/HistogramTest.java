package io.raftmesh.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistogramTest {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final List<Double> BOUNDS = List.of(0.001, 0.01, 0.1, INF);

  @Test
  void interpolatesLinearlyInsideTheBucketOfTheRank() {
    Histogram h = Histogram.withBounds(BOUNDS);
    h.add(BOUNDS, List.of(0L, 10L, 0L, 0L)); // all ten between 1 ms and 10 ms
    // rank 5 of 10 is halfway through the 1..10 ms bucket.
    assertThat(h.quantile(0.5)).isCloseTo(0.0055, within(1e-12));
    assertThat(h.quantile(0.99)).isCloseTo(0.001 + 0.009 * 0.99, within(1e-12));
    assertThat(h.quantile(1.0)).isCloseTo(0.01, within(1e-12));
  }

  @Test
  void theFirstBucketStartsAtZeroAndTheInfiniteBucketAnswersTheHighestFiniteBound() {
    Histogram h = Histogram.withBounds(BOUNDS);
    h.add(BOUNDS, List.of(4L, 0L, 0L, 4L));
    assertThat(h.quantile(0.25)).isCloseTo(0.0005, within(1e-12));
    assertThat(h.quantile(0.99)).isEqualTo(0.1);
  }

  @Test
  void emptyHistogramHasNoPercentile() {
    assertThat(Histogram.withBounds(BOUNDS).quantile(0.5)).isNaN();
  }

  @Test
  void mergingSameBoundsAddsCountsExactly() {
    Histogram a = Histogram.withBounds(BOUNDS);
    a.add(BOUNDS, List.of(1L, 2L, 3L, 4L));
    Histogram b = Histogram.withBounds(BOUNDS);
    b.add(BOUNDS, List.of(10L, 20L, 30L, 40L));
    a.add(b);
    assertThat(a.counts()).containsExactly(11L, 22L, 33L, 44L);
    assertThat(a.total()).isEqualTo(110);
  }

  @Test
  void countsWithOtherBoundsGoToTheFirstBucketThatHoldsThem() {
    Histogram h = Histogram.withBounds(BOUNDS);
    // 0.0005 -> first bucket; 0.005 -> the 10 ms bucket; 0.5 and +Inf -> +Inf.
    h.add(List.of(0.0005, 0.005, 0.5, INF), List.of(1L, 2L, 3L, 4L));
    assertThat(h.counts()).containsExactly(1L, 2L, 0L, 7L);
  }

  @Test
  void refusesBoundsThatAreNotIncreasingOrDoNotEndAtInfinity() {
    assertThatThrownBy(() -> Histogram.withBounds(List.of(0.1, 0.1, INF)))
        .hasMessage("bucket_upper_bounds_seconds[1]: 0.1 (expected: above the previous bound 0.1)");
    assertThatThrownBy(() -> Histogram.withBounds(List.of(0.1, 1.0)))
        .hasMessage("bucket_upper_bounds_seconds[1]: 1.0 (expected: +Inf, the last bound)");
    assertThatThrownBy(() -> Histogram.withBounds(List.of()))
        .hasMessage("bucket_upper_bounds_seconds: [] (expected: at least the +Inf bound)");
    assertThatThrownBy(() -> Histogram.withBounds(List.of(-1.0, INF)))
        .hasMessage("bucket_upper_bounds_seconds[0]: -1.0 (expected: positive)");
  }
}
