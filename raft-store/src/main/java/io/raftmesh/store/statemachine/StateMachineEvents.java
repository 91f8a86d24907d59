package io.raftmesh.store.statemachine;

import io.raftmesh.store.rocks.CommandApplier;
import io.raftmesh.store.rocks.StoreState;
import org.jspecify.annotations.Nullable;

/**
 * What the state machine reports to the member that owns it. Every method is called on a Ratis
 * thread (the apply thread or an RPC thread): implementations must return at once, handing any real
 * work to their own executor, and must never call back into the Raft server synchronously.
 */
public interface StateMachineEvents {
  /** A new leader is known ({@code leaderId} is never null here: Ratis reports only elections). */
  void leaderChanged(String leaderId, long term);

  /** This member is leader and has applied the first entry of its term. */
  void leaderReady(long term);

  /** This member stopped being leader. */
  void notLeader();

  /** An entry was applied (or refused) in {@code nanos}. */
  void applied(CommandApplier.Outcome outcome, long nanos);

  /** A replayed entry at or below the persisted applied index was skipped. */
  void skipped(long index);

  /** The live store was replaced by a snapshot from the leader. */
  void reloaded(StoreState state);

  /** A snapshot was taken at {@code index} in {@code nanos}. */
  void snapshotTaken(long index, long nanos);

  /** The Raft configuration (membership) changed. */
  void configurationChanged();

  /** The Raft server is shutting down, or this member was removed from the group. */
  void shutdown(@Nullable String reason);
}
