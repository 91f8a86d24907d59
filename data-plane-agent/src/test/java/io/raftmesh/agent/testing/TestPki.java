package io.raftmesh.agent.testing;

import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.IssuancePolicy;
import io.raftmesh.ca.issue.IssuedCertificate;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.issue.RootCa;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.tls.RotatingKeyManager;
import io.raftmesh.ca.verify.TrustBundle;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A root and an issuing CA minted at test time, and helpers to issue from them. */
public final class TestPki {
  public static final SecureRandom RANDOM = new SecureRandom();

  public final TrustDomain trustDomain;
  public final RootCa root;
  public final IssuingCa issuer;
  public final X509Certificate issuerCertificate;

  private TestPki(String td, Clock clock) {
    this.trustDomain = TrustDomain.parse(td);
    this.root =
        RootCa.generate(trustDomain, KeyAlgorithm.EC_P256, RootCa.DEFAULT_VALIDITY, clock, RANDOM);
    KeyPair issuerKeys = KeyAlgorithm.EC_P256.generateKeyPair(RANDOM);
    this.issuerCertificate =
        root.signIssuer(issuerKeys.getPublic(), RootCa.DEFAULT_ISSUER_VALIDITY);
    this.issuer =
        IssuingCa.of(
            List.of(issuerCertificate, root.certificate()),
            issuerKeys.getPrivate(),
            IssuancePolicy.DEFAULT.withMaxLifetime(Duration.ofDays(365)),
            clock,
            RANDOM);
  }

  public static TestPki create(String trustDomain) {
    return new TestPki(trustDomain, Clock.systemUTC());
  }

  public TrustBundle bundle() {
    return TrustBundle.of(trustDomain, List.of(root.certificate()));
  }

  public Fingerprint fingerprint() {
    return Fingerprint.of(root.certificate());
  }

  public SpiffeId controlId(String id) {
    return new MeshIdentity.ControlServer(trustDomain, id).spiffeId();
  }

  /** A control server's key manager presenting leaf, issuer and root (so pinning works). */
  public RotatingKeyManager controlServerKeys(String id) {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(RANDOM);
    IssuedCertificate cert =
        issuer.issue(
            LeafRequest.forPublicKey(controlId(id), keys.getPublic())
                .dnsNames(List.of("localhost"))
                .ipAddresses(List.of("127.0.0.1"))
                .lifetime(Duration.ofDays(30))
                .build());
    List<X509Certificate> chain = new ArrayList<>(cert.chain());
    if (!chain.contains(root.certificate())) {
      chain.add(root.certificate());
    }
    return RotatingKeyManager.of(keys.getPrivate(), chain);
  }

  /** A leaf for {@code id} with its key. */
  public RotatingKeyManager leaf(SpiffeId id, Duration lifetime) {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(RANDOM);
    IssuedCertificate cert =
        issuer.issue(LeafRequest.forPublicKey(id, keys.getPublic()).lifetime(lifetime).build());
    return RotatingKeyManager.of(keys.getPrivate(), cert.chain());
  }
}
