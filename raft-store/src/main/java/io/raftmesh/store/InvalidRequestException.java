package io.raftmesh.store;

/**
 * A request was refused because it is malformed or breaks a limit (empty key, oversized value, bad
 * transaction). Nothing was written. The message reads {@code <name>: <value> (expected:
 * <constraint>)}.
 *
 * <p>The public one-argument constructor is part of the contract: Ratis rebuilds this exception by
 * class name on the client side of a rejected proposal.
 */
public final class InvalidRequestException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** A refusal with a message. */
  public InvalidRequestException(String message) {
    super(message);
  }
}
