package io.raftmesh.chaos.process;

/** The POSIX signals the harness sends. */
public enum Signal {
  /** Pause (cannot be caught): simulates a GC or VM stall. */
  STOP,
  /** Resume a paused process. */
  CONT,
  /** Ask to terminate. */
  TERM,
  /** Terminate at once (cannot be caught): a crash. */
  KILL
}
