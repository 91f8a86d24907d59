package io.raftmesh.ca.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.TestPki;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.TestCertificates;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.verify.ChainVerificationException.Failure;
import io.raftmesh.ca.verify.ChainVerifier.PeerRole;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {
  static final TestPki PKI = TestPki.create("verify.test");
  static final TestPki OTHER = TestPki.create("verify.test");

  static void assertFails(ThrowingCallable call, Failure failure, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ChainVerificationException.class, e -> assertThat(e.failure()).isEqualTo(failure))
        .hasMessageContaining(message);
  }

  @Test
  void issuedChainVerifiesWithTheJdkPkixValidatorDirectly() throws Exception {
    TestPki.Leaf leaf = PKI.leaf("ns", "a", "sa", "b");
    PKIXParameters parameters =
        new PKIXParameters(Set.of(new TrustAnchor(PKI.root.certificate(), null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(PKI.clock.instant()));
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509").generateCertPath(leaf.chain()), parameters);
  }

  @Test
  void verifiesAndReturnsPeerIdentity() {
    TestPki.Leaf leaf = PKI.leaf("node", "n1");
    VerifiedChain verified =
        ChainVerifier.of(PKI.bundle(), PKI.clock).verify(leaf.chain(), PeerRole.CLIENT);
    assertThat(verified.spiffeId()).hasToString("spiffe://verify.test/node/n1");
    assertThat(verified.root()).isEqualTo(PKI.root.certificate());
    assertThat(verified.path()).containsExactlyElementsOf(leaf.chain());
    // A presented root at the end is tolerated.
    List<X509Certificate> withRoot = new ArrayList<>(leaf.chain());
    withRoot.add(PKI.root.certificate());
    assertThat(ChainVerifier.of(PKI.bundle(), PKI.clock).verify(withRoot, PeerRole.SERVER).path())
        .hasSize(2);
  }

  @Test
  void rejectsChainFromAnotherRootOfTheSameTrustDomain() {
    TestPki.Leaf foreign = OTHER.leaf("node", "n1");
    assertFails(
        () -> ChainVerifier.of(PKI.bundle(), PKI.clock).verify(foreign.chain(), PeerRole.CLIENT),
        Failure.UNTRUSTED_ROOT,
        "expected: a chain ending at a root of the trust bundle");
  }

  @Test
  void multiRootBundleTrustsBothHierarchies() {
    TrustBundle both = PKI.bundle().with(OTHER.root.certificate());
    assertThat(both.fingerprints())
        .containsExactly(PKI.root.fingerprint(), OTHER.root.fingerprint());
    ChainVerifier verifier = ChainVerifier.of(both, PKI.clock);
    assertThat(verifier.verify(PKI.leaf("node", "a").chain(), PeerRole.ANY).root())
        .isEqualTo(PKI.root.certificate());
    assertThat(verifier.verify(OTHER.leaf("node", "b").chain(), PeerRole.ANY).root())
        .isEqualTo(OTHER.root.certificate());
    assertThat(TrustBundle.fromPem(PKI.trustDomain, both.toPem()).roots()).hasSize(2);
  }

  @Test
  void rejectsExpiredAndNotYetValidLeaves() {
    TestPki.Leaf leaf = PKI.leaf("node", "n1");
    io.raftmesh.ca.MutableClock later =
        new io.raftmesh.ca.MutableClock(PKI.clock.instant().plus(Duration.ofHours(25)));
    assertFails(
        () -> ChainVerifier.of(PKI.bundle(), later).verify(leaf.chain(), PeerRole.ANY),
        Failure.EXPIRED,
        "leaf \"CN=n1,O=raftmesh\"");
    io.raftmesh.ca.MutableClock earlier =
        new io.raftmesh.ca.MutableClock(PKI.clock.instant().minus(Duration.ofMinutes(6)));
    assertFails(
        () -> ChainVerifier.of(PKI.bundle(), earlier).verify(leaf.chain(), PeerRole.ANY),
        Failure.NOT_YET_VALID,
        "clock skew?");
  }

  @Test
  void rejectsWrongTrustDomain() {
    TrustBundle otherDomain =
        TrustBundle.of(TrustDomain.parse("elsewhere.test"), List.of(PKI.root.certificate()));
    assertFails(
        () ->
            ChainVerifier.of(otherDomain, PKI.clock)
                .verify(PKI.leaf("node", "n").chain(), PeerRole.ANY),
        Failure.WRONG_TRUST_DOMAIN,
        "trust domain verify.test (expected: elsewhere.test)");
  }

  @Test
  void enforcesTheIssuersUriNameConstraint() {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    X509Certificate outside =
        TestCertificates.leaf(
            PKI.issuerCertificate,
            PKI.issuerKeys.getPrivate(),
            keys.getPublic(),
            List.of("spiffe://evil.test/node/x"),
            false,
            new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth},
            PKI.clock.instant(),
            PKI.clock.instant().plus(Duration.ofHours(1)));
    TrustBundle evilBundle =
        TrustBundle.of(TrustDomain.parse("evil.test"), List.of(PKI.root.certificate()));
    assertFails(
        () ->
            ChainVerifier.of(evilBundle, PKI.clock)
                .verify(List.of(outside, PKI.issuerCertificate), PeerRole.CLIENT),
        Failure.NAME_CONSTRAINTS,
        "expected: names within the issuers' name constraints");
  }

  @Test
  void rejectsLeavesBreakingX509SvidRules() {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    var now = PKI.clock.instant();
    var end = now.plus(Duration.ofHours(1));
    var both = new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth};
    ChainVerifier verifier = ChainVerifier.of(PKI.bundle(), PKI.clock);
    X509Certificate caLeaf =
        TestCertificates.leaf(
            PKI.issuerCertificate,
            PKI.issuerKeys.getPrivate(),
            keys.getPublic(),
            List.of("spiffe://verify.test/x"),
            true,
            both,
            now,
            end);
    assertFails(
        () -> verifier.verify(List.of(caLeaf, PKI.issuerCertificate), PeerRole.ANY),
        Failure.LEAF_IS_CA,
        "expected: CA:false");
    X509Certificate twoUris =
        TestCertificates.leaf(
            PKI.issuerCertificate,
            PKI.issuerKeys.getPrivate(),
            keys.getPublic(),
            List.of("spiffe://verify.test/a", "spiffe://verify.test/b"),
            false,
            both,
            now,
            end);
    assertFails(
        () -> verifier.verify(List.of(twoUris, PKI.issuerCertificate), PeerRole.ANY),
        Failure.BAD_SPIFFE_ID,
        "2 URI subject alternative names");
    X509Certificate noUri =
        TestCertificates.leaf(
            PKI.issuerCertificate,
            PKI.issuerKeys.getPrivate(),
            keys.getPublic(),
            List.of(),
            false,
            both,
            now,
            end);
    assertFails(
        () -> verifier.verify(List.of(noUri, PKI.issuerCertificate), PeerRole.ANY),
        Failure.BAD_SPIFFE_ID,
        "no URI subject alternative name");
    X509Certificate serverOnly =
        TestCertificates.leaf(
            PKI.issuerCertificate,
            PKI.issuerKeys.getPrivate(),
            keys.getPublic(),
            List.of("spiffe://verify.test/a"),
            false,
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth},
            now,
            end);
    assertFails(
        () -> verifier.verify(List.of(serverOnly, PKI.issuerCertificate), PeerRole.CLIENT),
        Failure.KEY_USAGE,
        "expected: clientAuth for a TLS client");
    assertThat(
            verifier.verify(List.of(serverOnly, PKI.issuerCertificate), PeerRole.SERVER).spiffeId())
        .hasToString("spiffe://verify.test/a");
    X509Certificate trustDomainOnly =
        TestCertificates.leaf(
            PKI.issuerCertificate,
            PKI.issuerKeys.getPrivate(),
            keys.getPublic(),
            List.of("spiffe://verify.test"),
            false,
            both,
            now,
            end);
    assertFails(
        () -> verifier.verify(List.of(trustDomainOnly, PKI.issuerCertificate), PeerRole.ANY),
        Failure.BAD_SPIFFE_ID,
        "has no path");
  }

  @Test
  void rejectsLeafSignedByAnotherKeyAndEmptyChains() {
    TestPki.Leaf foreign = OTHER.leaf("node", "n1");
    // Foreign leaf presented with our issuer: names chain, signature does not.
    assertFails(
        () ->
            ChainVerifier.of(PKI.bundle(), PKI.clock)
                .verify(
                    List.of(foreign.issued().certificate(), PKI.issuerCertificate), PeerRole.ANY),
        Failure.BAD_SIGNATURE,
        "each certificate signed by the next");
    assertFails(
        () -> ChainVerifier.of(PKI.bundle(), PKI.clock).verify(List.of(), PeerRole.ANY),
        Failure.EMPTY_CHAIN,
        "chain: empty");
  }

  @Test
  void pinnedVerificationNeedsTheRootWithThatFingerprint() {
    List<X509Certificate> presented = new ArrayList<>(PKI.leaf("control", "s1").chain());
    presented.add(PKI.root.certificate());
    VerifiedChain verified =
        ChainVerifier.verifyPinned(presented, PKI.root.fingerprint(), PeerRole.SERVER, PKI.clock);
    assertThat(verified.root()).isEqualTo(PKI.root.certificate());
    Fingerprint wrong = OTHER.root.fingerprint();
    assertFails(
        () -> ChainVerifier.verifyPinned(presented, wrong, PeerRole.SERVER, PKI.clock),
        Failure.ROOT_NOT_PINNED,
        "no certificate with fingerprint " + wrong);
    // An attacker's chain that ends at its own root does not pass by appending the pinned root.
    List<X509Certificate> spliced = new ArrayList<>(OTHER.leaf("control", "s1").chain());
    spliced.add(PKI.root.certificate());
    assertFails(
        () ->
            ChainVerifier.verifyPinned(spliced, PKI.root.fingerprint(), PeerRole.SERVER, PKI.clock),
        Failure.UNTRUSTED_ROOT,
        "expected: a chain ending at a root of the trust bundle");
  }

  @Test
  void refusesCaForTrustDomainTheJdkCannotConstrain() {
    // SPIFFE allows '_' in trust domains, but the JDK cannot parse a URI name constraint with one,
    // so a CA for such a domain would produce certificates Java peers cannot even load.
    assertThatThrownBy(() -> TestPki.create("my_mesh.test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustDomain: my_mesh.test (expected: no '_'");
  }
}
