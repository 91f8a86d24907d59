package io.raftmesh.ca.issue;

import io.raftmesh.ca.CaException;

/**
 * The issuing CA cannot sign now: its certificate has expired or is not yet valid (a clock
 * problem), or it is not a usable CA. Not the requester's fault: a server maps this to {@code
 * FAILED_PRECONDITION} and an operator must rotate the issuer or fix the clock.
 */
public final class IssuerNotValidException extends CaException {
  private static final long serialVersionUID = 1L;

  /** An error whose message names the issuer, its validity and the current time. */
  public IssuerNotValidException(String message) {
    super(message);
  }
}
