package io.raftmesh.chaos.traffic;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique values for writes and adds. Every written value unique lets each read pin down the one
 * write it saw, which keeps the linearizability search small (etcd's traffic does the same).
 */
public final class UniqueValues {
  private final String prefix;
  private final AtomicLong next = new AtomicLong();

  /** Values {@code <prefix>0}, {@code <prefix>1}... */
  public UniqueValues(String prefix) {
    this.prefix = prefix;
  }

  /** The next value; never returned twice by this instance. */
  public String next() {
    return prefix + next.getAndIncrement();
  }
}
