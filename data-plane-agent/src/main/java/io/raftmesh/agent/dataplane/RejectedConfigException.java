package io.raftmesh.agent.dataplane;

/** The data plane cannot apply a config; the message is the reason sent in the NACK. */
public final class RejectedConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A refusal with its reason (which resource and field, and why). */
  public RejectedConfigException(String reason) {
    super(reason);
  }

  /** A refusal caused by {@code cause}. */
  public RejectedConfigException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
