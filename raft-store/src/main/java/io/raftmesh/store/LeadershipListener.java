package io.raftmesh.store;

import java.time.Duration;

/**
 * Hears about leadership on one member. Calls arrive one at a time, in order, on the member's event
 * thread (never a Raft thread), so a slow listener delays only other listeners. Every method has an
 * empty default.
 */
public interface LeadershipListener {
  /** A leader is known: {@code leaderId} (may be this member) in {@code term}. */
  default void onLeaderChanged(String leaderId, long term) {}

  /**
   * This member leads and has applied every entry before its term: start leader-only jobs here
   * (reads of the local replica now see every committed write).
   */
  default void onLeaderReady(long term) {}

  /** This member stopped leading: stop leader-only jobs. */
  default void onNotLeader() {}

  /**
   * No leader has been known for longer than the election timeout: this member cannot serve writes
   * or linearizable reads (shed clients that need them). Followed by {@link #onLeaderChanged} when
   * a leader is known again.
   */
  default void onNoLeader(Duration elapsed) {}

  /** The Raft configuration (membership) changed. */
  default void onMembershipChanged() {}
}
