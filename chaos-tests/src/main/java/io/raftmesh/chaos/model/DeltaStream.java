package io.raftmesh.chaos.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One subscription stream (one connection): the revision it resumed from and the deltas it
 * delivered, in order.
 *
 * @param resumeRevision the revision sent in {@code SubscribeStart} (0: from scratch)
 * @param deltas the deltas received on this stream, in arrival order
 */
public record DeltaStream(long resumeRevision, List<Delta> deltas) {
  /** Copies the list. */
  public DeltaStream {
    deltas = List.copyOf(requireNonNull(deltas, "deltas"));
  }
}
