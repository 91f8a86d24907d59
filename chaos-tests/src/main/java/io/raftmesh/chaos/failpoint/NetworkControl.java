package io.raftmesh.chaos.failpoint;

import io.raftmesh.chaos.net.Grudge;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;

/**
 * What the nemesis needs from a cluster's network. Each fault group is set independently and
 * replaced as a whole: {@code partition(Grudge.none())}, {@code slow(ZERO, ZERO)} and {@code
 * lossy(nodes, 0)} heal their group.
 */
public interface NetworkControl {
  /** Replaces the partition. */
  void partition(Grudge grudge) throws IOException;

  /** Replaces the delay between peers. */
  void slow(Duration delay, Duration jitter) throws IOException;

  /** Drops {@code probability} of the packets arriving at each of {@code nodes} (0: none). */
  void lossy(Collection<String> nodes, double probability) throws IOException;

  /** Whether {@link #slow} is supported (it needs fault bridges between peers). */
  boolean canSlow();
}
