package io.raftmesh.ca.keys;

import io.raftmesh.ca.CaException;

/** A public key of a type or size the mesh does not accept (see {@link KeyAlgorithm}). */
public final class UnsupportedKeyException extends CaException {
  private static final long serialVersionUID = 1L;

  /** An error whose message names the key and what is accepted. */
  public UnsupportedKeyException(String message) {
    super(message);
  }
}
