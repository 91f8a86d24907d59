package io.raftmesh.chaos.traffic;

import java.util.Random;

/**
 * Generates client operations. Called concurrently from several workers, each with its own seeded
 * random source; implementations keep shared state thread-safe (e.g. unique value counters).
 */
@FunctionalInterface
public interface Workload {
  /** The next operation for {@code worker}. */
  PlannedOp next(int worker, Random random);
}
