package io.raftmesh.ca.identity;

import io.raftmesh.ca.CaException;

/** A SPIFFE ID, trust domain or mesh identity name that breaks the SPIFFE or mesh rules. */
public final class InvalidSpiffeIdException extends CaException {
  private static final long serialVersionUID = 1L;

  /** An error whose message names the rule that was broken. */
  public InvalidSpiffeIdException(String message) {
    super(message);
  }
}
