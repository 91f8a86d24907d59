package io.raftmesh.chaos.failpoint;

import java.util.Locale;

/** The faults the nemesis injects, each started and later stopped (healed). */
public enum FaultKind {
  /** SIGKILL nodes; stopping restarts them on the same data directory. */
  KILL,
  /** SIGSTOP nodes (a GC or VM stall); stopping sends SIGCONT. */
  PAUSE,
  /** Cut the network along a grudge; stopping heals it. */
  PARTITION,
  /** Add delay and jitter between peers; stopping removes it. */
  SLOW_NETWORK,
  /** Drop a random share of packets at some nodes; stopping removes it. */
  LOSSY_NETWORK,
  /** Kill every node and start them all again at once; has no stop. */
  RESTART_ALL;

  /** The name used in histories and summaries: {@code slow-network}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether the fault is instantaneous (no stop operation). */
  public boolean isInstant() {
    return this == RESTART_ALL;
  }
}
