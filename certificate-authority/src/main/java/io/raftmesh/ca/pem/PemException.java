package io.raftmesh.ca.pem;

import io.raftmesh.ca.CaException;

/** PEM input that is not what was expected: garbage, a wrong block type, truncated, too large. */
public final class PemException extends CaException {
  private static final long serialVersionUID = 1L;

  /** An error whose message names the problem (and the block or line where it was found). */
  public PemException(String message) {
    super(message);
  }

  /** An error whose message names the problem, with its cause. */
  public PemException(String message, Throwable cause) {
    super(message, cause);
  }
}
