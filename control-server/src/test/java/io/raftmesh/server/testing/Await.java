package io.raftmesh.server.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling: every wait in the tests has a deadline and says what it waited for. */
public final class Await {
  private Await() {}

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      sleep(50);
    }
    throw new AssertionError(
        "timed out after " + timeout.toMillis() + "ms waiting for " + what, last);
  }

  /** Polls {@code value} until it is non-null. */
  public static <T> T value(String what, Duration timeout, Supplier<T> value) {
    Object[] box = new Object[1];
    until(
        what,
        timeout,
        () -> {
          box[0] = value.get();
          return box[0] != null;
        });
    @SuppressWarnings("unchecked")
    T t = (T) box[0];
    return t;
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
