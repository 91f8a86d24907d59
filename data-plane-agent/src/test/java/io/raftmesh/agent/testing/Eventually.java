package io.raftmesh.agent.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling for asynchronous outcomes (never an unbounded loop). */
public final class Eventually {
  private Eventually() {}

  /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    await(timeout, () -> what, condition);
  }

  /** As {@link #await(Duration, String, BooleanSupplier)} with a message built at failure. */
  public static void await(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what.get(), e);
      }
    }
  }
}
