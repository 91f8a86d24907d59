package io.raftmesh.store;

import static java.util.Objects.requireNonNull;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Mutual TLS for Raft traffic between members (and from {@link StoreClient}s to members): each side
 * presents the certificate of {@code keyManager} and accepts only peers that {@code trustManager}
 * trusts. Pass reloadable managers to rotate certificates without a restart.
 *
 * @param keyManager this member's (or client's) certificate and key
 * @param trustManager which peer certificates are accepted
 */
public record RaftTls(KeyManager keyManager, TrustManager trustManager) {
  /** Checks both managers are present. */
  public RaftTls {
    requireNonNull(keyManager, "keyManager");
    requireNonNull(trustManager, "trustManager");
  }

  @Override
  public String toString() {
    return "RaftTls[mutual, keyManager=" + keyManager.getClass().getSimpleName() + "]";
  }
}
