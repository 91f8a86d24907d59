package io.raftmesh.ca.verify;

import io.raftmesh.ca.identity.SpiffeId;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A chain that verified.
 *
 * @param spiffeId the leaf's SPIFFE ID (the peer's identity)
 * @param leaf the leaf certificate
 * @param path the leaf and the intermediates, without the root
 * @param root the trust bundle root the path ends at
 */
public record VerifiedChain(
    SpiffeId spiffeId, X509Certificate leaf, List<X509Certificate> path, X509Certificate root) {
  /** Copies the path. */
  public VerifiedChain {
    path = List.copyOf(path);
  }
}
