package io.raftmesh.chaos.cluster;

import static java.util.Objects.requireNonNull;

/**
 * A mesh identity the harness presents: the certificate chain (leaf first) and its private key,
 * both PEM, as {@code raftmesh ca init} writes them or as enrollment returns them.
 *
 * @param spiffeId the leaf's SPIFFE ID (for reports)
 * @param certificateChainPem the chain, leaf first
 * @param privateKeyPem the leaf's key, PKCS#8 PEM
 */
public record MeshIdentity(String spiffeId, String certificateChainPem, String privateKeyPem) {
  /** Rejects nulls. */
  public MeshIdentity {
    requireNonNull(spiffeId, "spiffeId");
    requireNonNull(certificateChainPem, "certificateChainPem");
    requireNonNull(privateKeyPem, "privateKeyPem");
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "MeshIdentity[" + spiffeId + "]";
  }
}
