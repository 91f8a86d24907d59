package io.raftmesh.chaos.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One config delta as a subscriber received it (the shape of {@code raftmesh.v1.Delta}): it covers
 * the revisions {@code (previousRevision, revision]}, folded to the newest state per key; a {@code
 * reset} delta is the complete state at {@code revision} instead.
 *
 * @param previousRevision the revision the delta starts after (0 for a reset)
 * @param revision the revision the subscriber holds after applying it
 * @param reset whether {@code upserts} replaces everything held
 * @param upserts keys created or changed in the range, newest state
 * @param removals keys removed in the range
 * @param serverId the server that sent it, if known
 */
public record Delta(
    long previousRevision,
    long revision,
    boolean reset,
    List<Upsert> upserts,
    List<String> removals,
    @Nullable String serverId) {
  /** Copies the lists. */
  public Delta {
    upserts = List.copyOf(requireNonNull(upserts, "upserts"));
    removals = List.copyOf(requireNonNull(removals, "removals"));
  }

  /** An incremental delta. */
  public static Delta of(
      long previousRevision, long revision, List<Upsert> upserts, List<String> removals) {
    return new Delta(previousRevision, revision, false, upserts, removals, null);
  }

  /** A full-state delta. */
  public static Delta reset(long revision, List<Upsert> state) {
    return new Delta(0, revision, true, state, List.of(), null);
  }

  /** {@code (12, 15]} or {@code reset@15}, for messages. */
  public String range() {
    return reset ? "reset@" + revision : "(" + previousRevision + ", " + revision + "]";
  }
}
