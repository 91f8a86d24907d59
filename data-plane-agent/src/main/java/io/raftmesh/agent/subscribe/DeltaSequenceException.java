package io.raftmesh.agent.subscribe;

/**
 * A delta does not follow the view it would apply to (a gap, a repeat, or a step backwards): a
 * broken stream, not a bad config. The agent drops the stream and resumes elsewhere instead of
 * NACKing.
 */
public final class DeltaSequenceException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A sequence error described by {@code message}. */
  public DeltaSequenceException(String message) {
    super(message);
  }
}
