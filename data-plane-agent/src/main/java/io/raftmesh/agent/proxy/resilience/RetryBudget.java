package io.raftmesh.agent.proxy.resilience;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds retries to a share of requests, so that retries cannot multiply the load on a failing
 * destination (Finagle's and Linkerd's retry budget). Every first attempt deposits {@code ratio} of
 * a token, every retry withdraws one; deposits are capped at {@code max(10, 100 x ratio)} tokens,
 * so a long quiet spell does not bank an unbounded burst. On top of that, {@code minPerSecond}
 * retries per second are always allowed, so low-traffic destinations can retry.
 *
 * <p>Thread-safe and lock-free.
 */
public final class RetryBudget {
  private static final long MILLI = 1000;

  private final AtomicLong milliTokens = new AtomicLong();
  private final AtomicLong floorWindow = new AtomicLong();
  private volatile long depositMilli;
  private volatile long capMilli;
  private volatile int minPerSecond;

  /** A budget allowing {@code ratio} retries per request plus {@code minPerSecond}. */
  public RetryBudget(double ratio, int minPerSecond) {
    configure(ratio, minPerSecond);
  }

  /** Changes the limits (config reload), keeping the balance up to the new cap. */
  public void configure(double ratio, int minPerSecond) {
    if (ratio < 0 || ratio > 1) {
      throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0..1)");
    }
    this.depositMilli = Math.round(ratio * MILLI);
    this.capMilli = Math.max(10 * MILLI, Math.round(100 * ratio * MILLI));
    this.minPerSecond = Math.max(0, minPerSecond);
    long cap = capMilli;
    milliTokens.accumulateAndGet(cap, Math::min); // A smaller budget applies at once.
  }

  /** Records a first attempt. */
  public void deposit() {
    long d = depositMilli;
    long cap = capMilli;
    long cur = milliTokens.get();
    if (cur < cap) {
      milliTokens.accumulateAndGet(d, (a, b) -> Math.min(cap, a + b));
    }
  }

  /** Takes a retry from the budget; false when the budget is spent. */
  public boolean tryWithdraw() {
    if (tryFloor(System.nanoTime())) {
      return true;
    }
    while (true) {
      long cur = milliTokens.get();
      if (cur < MILLI) {
        return false;
      }
      if (milliTokens.compareAndSet(cur, cur - MILLI)) {
        return true;
      }
    }
  }

  /** The per-second floor: packs (second, used) into one long. */
  private boolean tryFloor(long nowNanos) {
    int limit = minPerSecond;
    if (limit == 0) {
      return false;
    }
    long second = TimeUnit.NANOSECONDS.toSeconds(nowNanos) & 0xFFFFFFFFL;
    while (true) {
      long cur = floorWindow.get();
      long curSecond = cur >>> 32;
      long used = curSecond == second ? cur & 0xFFFFFFFFL : 0;
      if (used >= limit) {
        return false;
      }
      if (floorWindow.compareAndSet(cur, (second << 32) | (used + 1))) {
        return true;
      }
    }
  }
}
