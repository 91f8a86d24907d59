package io.raftmesh.store;

/** A member's Raft role as seen by itself. */
public enum MemberRole {
  /** Leads the group: accepts writes. */
  LEADER,
  /** Follows a leader (or waits for one). */
  FOLLOWER,
  /** Campaigning for leadership: no leader is known. */
  CANDIDATE,
  /** Receives the log without voting. */
  LISTENER,
  /** Not running (stopped, failed, or removed from the group). */
  STOPPED
}
