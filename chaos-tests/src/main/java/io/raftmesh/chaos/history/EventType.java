package io.raftmesh.chaos.history;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one history event says about its operation, with Jepsen's meaning.
 *
 * <p>Only {@link #FAIL} says the operation definitely did not take effect; a timeout or a reset
 * connection is {@link #INFO}, because the operation may still take effect later.
 */
public enum EventType {
  /** The client is about to send the operation. */
  @JsonProperty("invoke")
  INVOKE,
  /** The operation took effect; the completion carries its result. */
  @JsonProperty("ok")
  OK,
  /** The operation definitely did not take effect (the protocol proves it). */
  @JsonProperty("fail")
  FAIL,
  /** The outcome is unknown: it may have taken effect, now or at any later time. */
  @JsonProperty("info")
  INFO;

  /** Whether this type ends an operation. */
  public boolean isCompletion() {
    return this != INVOKE;
  }
}
