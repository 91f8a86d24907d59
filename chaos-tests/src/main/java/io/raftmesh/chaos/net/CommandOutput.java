package io.raftmesh.chaos.net;

/**
 * A finished command.
 *
 * @param exitCode its exit code
 * @param output stdout and stderr together, trimmed
 */
public record CommandOutput(int exitCode, String output) {
  /** Whether it exited 0. */
  public boolean ok() {
    return exitCode == 0;
  }
}
