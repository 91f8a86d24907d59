package io.raftmesh.ca;

import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.issue.IssuancePolicy;
import io.raftmesh.ca.issue.IssuedCertificate;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.issue.RootCa;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.verify.TrustBundle;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A root, an issuing CA and helpers, minted at test time on a hand-moved clock. */
public final class TestPki {
  public static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  public static final SecureRandom RANDOM = new SecureRandom();

  public final MutableClock clock;
  public final TrustDomain trustDomain;
  public final RootCa root;
  public final KeyPair issuerKeys;
  public final X509Certificate issuerCertificate;
  public final IssuingCa issuer;

  private TestPki(
      String trustDomain, KeyAlgorithm algorithm, Duration issuerValidity, IssuancePolicy policy) {
    this.clock = new MutableClock(NOW);
    this.trustDomain = TrustDomain.parse(trustDomain);
    this.root =
        RootCa.generate(this.trustDomain, algorithm, RootCa.DEFAULT_VALIDITY, clock, RANDOM);
    this.issuerKeys = algorithm.generateKeyPair(RANDOM);
    this.issuerCertificate = root.signIssuer(issuerKeys.getPublic(), issuerValidity);
    this.issuer =
        IssuingCa.of(
            List.of(issuerCertificate, root.certificate()),
            issuerKeys.getPrivate(),
            policy,
            clock,
            RANDOM);
  }

  public static TestPki create(String trustDomain) {
    return new TestPki(
        trustDomain, KeyAlgorithm.EC_P256, RootCa.DEFAULT_ISSUER_VALIDITY, IssuancePolicy.DEFAULT);
  }

  public static TestPki create(
      String trustDomain, KeyAlgorithm algorithm, Duration issuerValidity, IssuancePolicy policy) {
    return new TestPki(trustDomain, algorithm, issuerValidity, policy);
  }

  public TrustBundle bundle() {
    return TrustBundle.of(trustDomain, List.of(root.certificate()));
  }

  public SpiffeId id(String... segments) {
    return trustDomain.id(segments);
  }

  /** A fresh P-256 key pair and a leaf for it, issued from a CSR. */
  public Leaf leaf(String... segments) {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(RANDOM);
    IssuedCertificate issued =
        issuer.issue(LeafRequest.forCsr(id(segments), Csr.create(keys)).build());
    return new Leaf(keys, issued);
  }

  /** A key pair and the certificate issued for it. */
  public record Leaf(KeyPair keys, IssuedCertificate issued) {
    public List<X509Certificate> chain() {
      return issued.chain();
    }
  }
}
