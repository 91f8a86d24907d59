package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.model.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks partitioned histories for linearizability against a model: each partition (one key of a
 * set of independent registers) is searched on its own, in parallel, and the first partition found
 * not linearizable cancels the others. A search that exceeds the time limit yields {@link
 * Validity#UNKNOWN}, never VALID.
 */
public final class LinearizabilityChecker {
  private final Duration timeLimit;
  private final int parallelism;

  private LinearizabilityChecker(Duration timeLimit, int parallelism) {
    this.timeLimit = timeLimit;
    this.parallelism = parallelism;
  }

  /**
   * A checker that gives up after {@code timeLimit} in all, on {@code parallelism} threads.
   *
   * @throws IllegalArgumentException for a negative limit or fewer than one thread
   */
  public static LinearizabilityChecker of(Duration timeLimit, int parallelism) {
    requireNonNull(timeLimit, "timeLimit");
    if (timeLimit.isNegative()) {
      throw new IllegalArgumentException("timeLimit: " + timeLimit + " (expected: >= 0)");
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism: " + parallelism + " (expected: >= 1)");
    }
    return new LinearizabilityChecker(timeLimit, parallelism);
  }

  /**
   * The verdict for one partition.
   *
   * @param partition the partition's name (the key)
   * @param validity VALID, INVALID, or UNKNOWN if the search timed out or was cancelled
   * @param order the witness (VALID) or the longest linearizable prefix, as positions in the
   *     partition's operation list
   * @param stuck the operation that could not be placed after that prefix, or -1
   * @param steps how many search steps it took
   * @param timedOut true if UNKNOWN because the time limit passed (false: cancelled because another
   *     partition was found invalid)
   */
  public record PartitionResult(
      String partition,
      Validity validity,
      List<Integer> order,
      int stuck,
      long steps,
      boolean timedOut) {}

  /**
   * Checks every partition.
   *
   * @return one result per partition, in key order
   */
  public <S, I, O> List<PartitionResult> check(
      Model<S, I, O> model, Map<String, List<LinearOp<I, O>>> partitions) {
    requireNonNull(model, "model");
    Map<String, List<LinearOp<I, O>>> sorted = new TreeMap<>(partitions);
    long deadline = System.nanoTime() + timeLimit.toNanos();
    AtomicBoolean cancel = new AtomicBoolean();
    AtomicInteger threadIds = new AtomicInteger();
    int threads = Math.max(1, Math.min(parallelism, sorted.size()));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "wgl-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      Map<String, Future<PartitionResult>> futures = new LinkedHashMap<>();
      for (Map.Entry<String, List<LinearOp<I, O>>> e : sorted.entrySet()) {
        String key = e.getKey();
        List<LinearOp<I, O>> ops = e.getValue();
        futures.put(key, pool.submit(() -> search(model, key, ops, deadline, cancel)));
      }
      List<PartitionResult> results = new ArrayList<>();
      for (Map.Entry<String, Future<PartitionResult>> e : futures.entrySet()) {
        results.add(await(e.getKey(), e.getValue()));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static <S, I, O> PartitionResult search(
      Model<S, I, O> model,
      String key,
      List<LinearOp<I, O>> ops,
      long deadline,
      AtomicBoolean cancel) {
    WglSearch.Result r = WglSearch.run(model, ops, deadline, System::nanoTime, cancel::get);
    Validity v =
        switch (r.outcome()) {
          case LINEARIZABLE -> Validity.VALID;
          case NOT_LINEARIZABLE -> Validity.INVALID;
          case TIMED_OUT, CANCELLED -> Validity.UNKNOWN;
        };
    if (v == Validity.INVALID) {
      cancel.set(true); // the verdict is known: stop searching the other keys
    }
    return new PartitionResult(
        key, v, r.order(), r.stuck(), r.steps(), r.outcome() == WglSearch.Outcome.TIMED_OUT);
  }

  private static PartitionResult await(String key, Future<PartitionResult> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking partition " + key, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("checking partition " + key + " failed", e.getCause());
    }
  }
}
