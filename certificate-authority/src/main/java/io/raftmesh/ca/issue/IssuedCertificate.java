package io.raftmesh.ca.issue;

import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.pem.Pem;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A freshly signed leaf and what a caller records about it (serial, SPIFFE ID, validity) before
 * handing it out.
 *
 * @param certificate the leaf
 * @param chain the leaf, then the issuer and any intermediates above it, without the root (what a
 *     TLS peer presents)
 * @param serial the leaf's serial
 * @param spiffeId the leaf's one URI SAN
 * @param notBefore start of validity (backdated)
 * @param notAfter end of validity
 */
public record IssuedCertificate(
    X509Certificate certificate,
    List<X509Certificate> chain,
    SerialNumber serial,
    SpiffeId spiffeId,
    Instant notBefore,
    Instant notAfter) {

  /** Copies the chain. */
  public IssuedCertificate {
    chain = List.copyOf(chain);
  }

  /** The leaf alone, PEM. */
  public String certificatePem() {
    return Pem.encodeCertificates(List.of(certificate));
  }

  /** The chain, PEM: the leaf then the issuer ({@code certificate_chain_pem}). */
  public String chainPem() {
    return Pem.encodeCertificates(chain);
  }
}
