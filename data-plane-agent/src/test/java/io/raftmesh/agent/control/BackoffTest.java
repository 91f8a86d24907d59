package io.raftmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysGrowToTheCapWithJitterInTheUpperHalf() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new SplittableRandom(7));
    for (int attempt = 0; attempt < 12; attempt++) {
      long ceiling = Math.min(2000, 100L << Math.min(attempt, 20));
      for (int i = 0; i < 50; i++) {
        long ms = b.delay(attempt).toMillis();
        assertThat(ms).isBetween(ceiling / 2, ceiling);
      }
    }
    long distinct =
        java.util.stream.IntStream.range(0, 100)
            .mapToLong(i -> b.delay(3).toNanos())
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(50);
  }
}
