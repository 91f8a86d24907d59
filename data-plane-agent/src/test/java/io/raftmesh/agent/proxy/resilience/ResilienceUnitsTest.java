package io.raftmesh.agent.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResilienceUnitsTest {
  @Test
  void retryBudgetAllowsRatioOfRequestsPlusFloor() {
    RetryBudget b = new RetryBudget(0.1, 0);
    for (int i = 0; i < 100; i++) {
      b.deposit();
    }
    int allowed = 0;
    for (int i = 0; i < 100; i++) {
      if (b.tryWithdraw()) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void retryBudgetFloorAllowsMinimumPerSecondWithoutDeposits() {
    RetryBudget b = new RetryBudget(0.0, 3);
    int allowed = 0;
    for (int i = 0; i < 10; i++) {
      if (b.tryWithdraw()) {
        allowed++;
      }
    }
    assertThat(allowed).isBetween(3, 6); // 3 per second; a second boundary may add 3 more.
  }

  @Test
  void retryBudgetCapsSavingsAndShrinksOnReconfigure() {
    RetryBudget b = new RetryBudget(1.0, 0);
    for (int i = 0; i < 10_000; i++) {
      b.deposit();
    }
    b.configure(0.05, 0);
    int allowed = 0;
    while (b.tryWithdraw() && allowed < 1000) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void backoffStaysWithinTheExponentialCeilingAndTheCap() {
    long base = TimeUnit.MILLISECONDS.toNanos(25);
    long max = TimeUnit.MILLISECONDS.toNanos(250);
    for (int retry = 1; retry < 40; retry++) {
      long ceiling = Math.min(max, retry > 30 ? max : base << (retry - 1));
      for (int i = 0; i < 50; i++) {
        assertThat(Backoff.delayNanos(retry, base, max)).isBetween(0L, ceiling);
      }
    }
    assertThat(Backoff.delayNanos(3, 0, 0)).isZero();
  }

  @Test
  void circuitBreakerRefusesBeyondEachLimitAndNamesIt() {
    CircuitBreaker cb = new CircuitBreaker(1, 1, 2);
    assertThat(cb.tryAcquireRequest()).isNull();
    assertThat(cb.tryAcquireRequest()).isNull();
    assertThat(cb.tryAcquireRequest()).isEqualTo(CircuitBreaker.MAX_REQUESTS);
    cb.releaseRequest();
    assertThat(cb.tryAcquireRequest()).isNull();
    assertThat(cb.tryAcquirePending()).isNull();
    assertThat(cb.tryAcquirePending()).isEqualTo(CircuitBreaker.MAX_PENDING);
    assertThat(cb.tryAcquireConnection()).isNull();
    assertThat(cb.tryAcquireConnection()).isEqualTo(CircuitBreaker.MAX_CONNECTIONS);
    cb.configure(2, 1, 2);
    assertThat(cb.tryAcquireConnection()).isNull();
  }
}
