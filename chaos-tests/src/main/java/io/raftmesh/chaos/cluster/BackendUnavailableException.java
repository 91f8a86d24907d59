package io.raftmesh.chaos.cluster;

import java.io.IOException;

/** A cluster backend cannot run on this machine (e.g. no Docker engine); the message says why. */
public final class BackendUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  /** With the reason. */
  public BackendUnavailableException(String message) {
    super(message);
  }
}
