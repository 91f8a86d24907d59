package io.raftmesh.agent.identity;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.identity.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A private key with its certificate chain (leaf first) and when the agent received it. The receipt
 * time, not the leaf's notBefore (which the CA backdates), is where its lifetime starts for the
 * refresh schedule.
 *
 * @param key the private key; never printed
 * @param chain the leaf, then its issuer(s)
 * @param receivedAt when the agent got it from a server
 */
public record StoredCertificate(PrivateKey key, List<X509Certificate> chain, Instant receivedAt) {

  /** Copies the chain and requires a leaf. */
  public StoredCertificate {
    requireNonNull(key, "key");
    requireNonNull(receivedAt, "receivedAt");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: empty (expected: the leaf first)");
    }
  }

  /** The leaf. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The leaf's SPIFFE ID. */
  public SpiffeId spiffeId() {
    return SpiffeId.fromCertificate(leaf());
  }

  /** The leaf's serial, lower-case hex. */
  public String serial() {
    return leaf().getSerialNumber().toString(16);
  }

  /** The leaf's notAfter. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** Start of the useful lifetime: the later of receipt and notBefore. */
  public Instant lifetimeStart() {
    Instant notBefore = leaf().getNotBefore().toInstant();
    return receivedAt.isAfter(notBefore) ? receivedAt : notBefore;
  }

  /** Whether the leaf has expired at {@code now}. */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(notAfter());
  }

  @Override
  public String toString() {
    return "StoredCertificate{spiffe_id="
        + spiffeId()
        + ", serial="
        + serial()
        + ", not_after="
        + notAfter()
        + ", key=...}";
  }
}
