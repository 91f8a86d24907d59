package io.raftmesh.ca.keys;

import io.raftmesh.ca.CaException;

/**
 * Sealing or unsealing a private key failed: a wrong key-encryption key, a tampered or truncated
 * blob, a purpose or key id other than the expected one, or an unreadable KEK file.
 */
public final class KeySealException extends CaException {
  private static final long serialVersionUID = 1L;

  /** An error whose message names what was wrong. */
  public KeySealException(String message) {
    super(message);
  }

  /** An error whose message names what was wrong, with its cause. */
  public KeySealException(String message, Throwable cause) {
    super(message, cause);
  }
}
