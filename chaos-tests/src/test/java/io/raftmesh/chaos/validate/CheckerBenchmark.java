package io.raftmesh.chaos.validate;

import io.raftmesh.chaos.history.History;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints how long the register checker takes on generated linearizable histories (a benchmark, not
 * a test: it asserts nothing). Run it as the module README shows.
 */
public final class CheckerBenchmark {
  private CheckerBenchmark() {}

  /** Prints one line per history size. */
  public static void main(String[] args) {
    RegisterChecker checker = RegisterChecker.withTimeLimit(Duration.ofMinutes(5));
    checker.check(new RandomRegisterHistory(99, 8, 2_000, 10).build()); // warm up
    System.out.println("ops     keys  procs  verdict  steps        millis");
    int[][] shapes = {{1_000, 10}, {10_000, 10}, {50_000, 10}, {1_000, 1}, {5_000, 1}};
    for (int[] shape : shapes) {
      History h = new RandomRegisterHistory(7, 8, shape[0], shape[1]).build();
      long start = System.nanoTime();
      CheckResult r = checker.check(h);
      long millis = (System.nanoTime() - start) / 1_000_000;
      String steps = r.notes().isEmpty() ? "?" : r.notes().get(0).replace("search steps: ", "");
      System.out.println(
          String.format(
              Locale.ROOT,
              "%-7d %-5d %-6d %-8s %-12s %d",
              shape[0],
              shape[1],
              8,
              r.validity().label(),
              steps,
              millis));
    }
  }
}
