package io.raftmesh.ca.token;

import io.raftmesh.ca.CaException;

/** A join token that is not well-formed. The message never contains the token's secret. */
public final class InvalidJoinTokenException extends CaException {
  private static final long serialVersionUID = 1L;

  /** An error whose message names the malformed part. */
  public InvalidJoinTokenException(String message) {
    super(message);
  }
}
