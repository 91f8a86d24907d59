package io.raftmesh.agent.cert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RefreshScheduleTest {
  private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void renewsBetweenHalfAndEightyPercentOfTheLifetime() {
    Instant end = START.plus(Duration.ofHours(24));
    assertThat(RefreshSchedule.refreshAt(START, end, 0.0))
        .isEqualTo(START.plus(Duration.ofHours(12)));
    SplittableRandom random = new SplittableRandom(42);
    Instant min = end;
    Instant max = START;
    for (int i = 0; i < 1000; i++) {
      Instant at = RefreshSchedule.refreshAt(START, end, random.nextDouble());
      assertThat(at)
          .isBetween(START.plus(Duration.ofHours(12)), START.plus(Duration.ofMinutes(1152)));
      min = at.isBefore(min) ? at : min;
      max = at.isAfter(max) ? at : max;
    }
    // Spread over the window, not bunched at one point.
    assertThat(Duration.between(min, max)).isGreaterThan(Duration.ofHours(6));
  }

  @Test
  void anExpiredCertificateRenewsAtOnce() {
    assertThat(RefreshSchedule.refreshAt(START, START.minusSeconds(1), 0.5)).isEqualTo(START);
  }
}
