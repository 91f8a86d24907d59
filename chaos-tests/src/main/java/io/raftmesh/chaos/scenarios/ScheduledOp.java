package io.raftmesh.chaos.scenarios;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.failpoint.NemesisOp;
import java.time.Duration;

/**
 * A nemesis operation and when to run it.
 *
 * @param at time since the schedule started
 * @param op the operation
 * @param finalHeal whether it belongs to the final heal (run even when the run is cut short)
 */
public record ScheduledOp(Duration at, NemesisOp op, boolean finalHeal) {
  /** Rejects nulls. */
  public ScheduledOp {
    requireNonNull(at, "at");
    requireNonNull(op, "op");
  }
}
