package io.raftmesh.ca.issue;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.ca.TestPki;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.issue.IssuancePolicy.IssuerExpiry;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.ca.verify.ChainVerifier.PeerRole;
import io.raftmesh.ca.verify.VerifiedChain;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property-style: random SPIFFE IDs, key types and lifetimes; every issued leaf must carry exactly
 * the ID, respect the lifetime bounds, and verify with both our verifier and the JDK's PKIX
 * validator. The master seed is printed; rerun one with -Draftmesh.test.seed=N.
 */
class IssuancePropertyTest {
  static final long SEED = Long.getLong("raftmesh.test.seed", System.nanoTime());
  static final TestPki PKI =
      TestPki.create(
          "prop.test",
          KeyAlgorithm.EC_P256,
          Duration.ofDays(20),
          IssuancePolicy.DEFAULT.withIssuerExpiry(IssuerExpiry.TRUNCATE));
  // RSA key generation is slow: make a few and reuse them.
  static final Map<KeyAlgorithm, List<KeyPair>> KEYS = new EnumMap<>(KeyAlgorithm.class);

  static {
    System.out.println(
        "IssuancePropertyTest seed=" + SEED + " (rerun with -Draftmesh.test.seed=" + SEED + ")");
    for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
      List<KeyPair> pairs = new ArrayList<>();
      for (int i = 0; i < (algorithm == KeyAlgorithm.RSA ? 2 : 4); i++) {
        pairs.add(algorithm.generateKeyPair(TestPki.RANDOM));
      }
      KEYS.put(algorithm, pairs);
    }
  }

  static Stream<Arguments> seeds() {
    Random master = new Random(SEED);
    List<Arguments> seeds = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      seeds.add(Arguments.of(master.nextLong()));
    }
    return seeds.stream();
  }

  static SpiffeId randomId(Random r) {
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
    int count = 1 + r.nextInt(5);
    List<String> segments = new ArrayList<>();
    while (segments.size() < count) {
      StringBuilder s = new StringBuilder();
      int length = 1 + r.nextInt(20);
      for (int i = 0; i < length; i++) {
        s.append(chars.charAt(r.nextInt(chars.length())));
      }
      if (!s.toString().equals(".") && !s.toString().equals("..")) {
        segments.add(s.toString());
      }
    }
    return SpiffeId.of(PKI.trustDomain, segments);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void everyIssuedLeafCarriesItsIdAndVerifies(long seed) throws Exception {
    Random r = new Random(seed);
    SpiffeId id = randomId(r);
    KeyAlgorithm algorithm = KeyAlgorithm.values()[r.nextInt(KeyAlgorithm.values().length)];
    List<KeyPair> pairs = java.util.Objects.requireNonNull(KEYS.get(algorithm));
    KeyPair keys = pairs.get(r.nextInt(pairs.size()));
    // 1 minute to 30 days: some reach past the 20-day issuer and must be truncated to it.
    Duration lifetime = Duration.ofMinutes(1 + r.nextInt(30 * 24 * 60));
    boolean viaCsr = r.nextBoolean();
    LeafRequest.Builder request =
        viaCsr
            ? LeafRequest.forCsr(id, Csr.parsePem(Csr.create(keys).toPem()))
            : LeafRequest.forPublicKey(id, keys.getPublic());
    IssuedCertificate issued = PKI.issuer.issue(request.lifetime(lifetime).build());
    X509Certificate leaf = issued.certificate();

    assertThat(SpiffeId.fromCertificate(leaf)).isEqualTo(id);
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    Instant now = PKI.clock.instant();
    Instant issuerEnd = PKI.issuerCertificate.getNotAfter().toInstant();
    Instant expectedEnd = now.plus(lifetime).isAfter(issuerEnd) ? issuerEnd : now.plus(lifetime);
    assertThat(issued.notAfter()).isEqualTo(expectedEnd).isBeforeOrEqualTo(issuerEnd);
    assertThat(issued.notBefore()).isEqualTo(now.minus(IssuancePolicy.DEFAULT.backdate()));
    assertThat(leaf.getSerialNumber().signum()).isPositive();

    VerifiedChain verified =
        ChainVerifier.of(PKI.bundle(), PKI.clock).verify(issued.chain(), PeerRole.CLIENT);
    assertThat(verified.spiffeId()).isEqualTo(id);
    PKIXParameters parameters =
        new PKIXParameters(Set.of(new TrustAnchor(PKI.root.certificate(), null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(now));
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509").generateCertPath(issued.chain()), parameters);
  }
}
