package io.raftmesh.ca.issue;

import static io.raftmesh.ca.issue.CsrTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.TestPki;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.IssuancePolicy.IssuerExpiry;
import io.raftmesh.ca.issue.RejectedRequestException.Reason;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.KeyEncryptionKey;
import io.raftmesh.ca.keys.KeyId;
import io.raftmesh.ca.keys.KeySealException;
import io.raftmesh.ca.keys.SealedKey;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;

class IssuingCaTest {
  static final TestPki PKI = TestPki.create("issue.test");

  @Test
  void rootIsSelfSignedTenYearCaWithKeyCertSignAndSki() throws Exception {
    X509Certificate root = PKI.root.certificate();
    root.verify(root.getPublicKey());
    assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(root.getKeyUsage()[6]).as("cRLSign").isTrue();
    assertThat(root.getKeyUsage()[0]).as("digitalSignature").isFalse();
    assertThat(root.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
    assertThat(root.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
    assertThat(Duration.between(TestPki.NOW, root.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofDays(3650));
    assertThat(root.getNotBefore().toInstant()).isEqualTo(TestPki.NOW.minus(Duration.ofMinutes(5)));
    assertThat(root.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(SpiffeId.fromCertificate(root)).hasToString("spiffe://issue.test");
    assertThat(root.getSerialNumber().signum()).isPositive();
  }

  @Test
  void p384RootSignsWithSha384() {
    TestPki p384 =
        TestPki.create(
            "p384.test", KeyAlgorithm.EC_P384, Duration.ofDays(30), IssuancePolicy.DEFAULT);
    assertThat(p384.root.certificate().getSigAlgName()).isEqualTo("SHA384withECDSA");
    assertThat(KeyAlgorithm.of(p384.root.certificate().getPublicKey()))
        .isEqualTo(KeyAlgorithm.EC_P384);
  }

  @Test
  void issuerHasPathLenZeroUriNameConstraintAndShorterLife() throws Exception {
    X509Certificate issuer = PKI.issuerCertificate;
    issuer.verify(PKI.root.certificate().getPublicKey());
    assertThat(issuer.getBasicConstraints()).isZero();
    assertThat(issuer.getKeyUsage()[5]).isTrue();
    assertThat(issuer.getCriticalExtensionOIDs()).contains(Extension.nameConstraints.getId());
    assertThat(issuer.getNotAfter()).isBefore(PKI.root.certificate().getNotAfter());
    assertThat(PKI.issuer.trustDomain()).isEqualTo(PKI.trustDomain);
    assertThat(PKI.issuer.chain()).containsExactly(issuer);
    assertThat(PKI.issuer.root()).contains(PKI.root.certificate());
    assertThat(PKI.issuer.keyId()).isEqualTo(KeyId.of(PKI.issuerKeys.getPublic()));
  }

  @Test
  void refusesIssuerOutlivingRoot() {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    assertThatThrownBy(() -> PKI.root.signIssuer(keys.getPublic(), Duration.ofDays(3651)))
        .hasMessageContaining("expected: > 0 and ending by the root's notAfter");
  }

  @Test
  void issuesLeafWithExactlyTheAuthorizedIdentity() throws Exception {
    TestPki.Leaf leaf = PKI.leaf("ns", "shop", "sa", "cart");
    X509Certificate cert = leaf.issued().certificate();
    cert.verify(PKI.issuerCertificate.getPublicKey());
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://issue.test/ns/shop/sa/cart"));
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getExtendedKeyUsage())
        .containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    boolean[] usage = cert.getKeyUsage();
    assertThat(usage[0]).as("digitalSignature").isTrue();
    assertThat(usage[5] || usage[6]).as("keyCertSign or cRLSign").isFalse();
    assertThat(cert.getSerialNumber().signum()).isPositive();
    assertThat(cert.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(TestPki.NOW.minus(Duration.ofMinutes(5)));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(TestPki.NOW.plus(Duration.ofHours(24)));
    assertThat(leaf.issued().serial().value()).isEqualTo(cert.getSerialNumber());
    assertThat(leaf.issued().notAfter()).isEqualTo(cert.getNotAfter().toInstant());
    assertThat(leaf.chain()).containsExactly(cert, PKI.issuerCertificate);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=cart,O=raftmesh");
  }

  @Test
  void ignoresSpiffeIdTheCsrAsksForAndSetsTheAuthorizedOne() throws Exception {
    GeneralNames asked =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(
                  GeneralName.uniformResourceIdentifier, "spiffe://issue.test/admin/root"),
              new GeneralName(GeneralName.dNSName, "evil.example")
            });
    byte[] der =
        TestCsrs.csr(
            TestCsrs.ecKeys("secp256r1"),
            "SHA256withECDSA",
            TestCsrs.extension(Extension.subjectAlternativeName, false, asked));
    IssuedCertificate issued =
        PKI.issuer.issue(LeafRequest.forCsr(PKI.id("node", "n7"), Csr.parseDer(der)).build());
    assertThat(issued.certificate().getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://issue.test/node/n7"));
    assertThat(issued.certificate().getSubjectX500Principal().getName()).doesNotContain("evil");
  }

  @Test
  void addsDnsAndIpSansForServerCertificates() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    IssuedCertificate issued =
        PKI.issuer.issue(
            LeafRequest.forPublicKey(PKI.id("control", "n1"), keys.getPublic())
                .dnsName("N1.Mesh.Local")
                .dnsName("localhost")
                .ipAddress("127.0.0.1")
                .ipAddress("::1")
                .lifetime(Duration.ofDays(30))
                .build());
    assertThat(issued.certificate().getSubjectAlternativeNames())
        .containsExactly(
            List.of(6, "spiffe://issue.test/control/n1"),
            List.of(2, "n1.mesh.local"),
            List.of(2, "localhost"),
            List.of(7, "127.0.0.1"),
            List.of(7, "0:0:0:0:0:0:0:1"));
  }

  @Test
  void rejectsBadDnsAndIpSans() {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    LeafRequest.Builder b = LeafRequest.forPublicKey(PKI.id("control", "n1"), keys.getPublic());
    assertRejected(
        () -> b.dnsName("*.wild.example"),
        Reason.BAD_SUBJECT_ALT_NAME,
        "dns name: \"*.wild.example\"");
    assertRejected(() -> b.dnsName("-bad.example"), Reason.BAD_SUBJECT_ALT_NAME, "dns name");
    assertRejected(() -> b.dnsName("a..b"), Reason.BAD_SUBJECT_ALT_NAME, "dns name");
    assertRejected(
        () -> b.ipAddress("example.org"),
        Reason.BAD_SUBJECT_ALT_NAME,
        "ip address: \"example.org\"");
    assertRejected(() -> b.ipAddress("300.1.1.1"), Reason.BAD_SUBJECT_ALT_NAME, "ip address");
  }

  @Test
  void usesAGivenSerial() {
    SerialNumber serial = SerialNumber.of(new BigInteger("123456789abcdef", 16));
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    IssuedCertificate issued =
        PKI.issuer.issue(
            LeafRequest.forPublicKey(PKI.id("admin", "alice"), keys.getPublic())
                .serial(serial)
                .build());
    assertThat(issued.certificate().getSerialNumber()).isEqualTo(serial.value());
    assertThat(issued.serial()).hasToString("123456789abcdef");
    assertThat(SerialNumber.parseHex("123456789abcdef")).isEqualTo(serial);
    assertRejected(
        () -> SerialNumber.of(BigInteger.ZERO), Reason.BAD_SERIAL, "serial: 0 (expected: positive");
    assertRejected(
        () -> SerialNumber.of(BigInteger.ONE.shiftLeft(160)),
        Reason.BAD_SERIAL,
        "at most 20 bytes");
    assertRejected(() -> SerialNumber.parseHex("XYZ"), Reason.BAD_SERIAL, "lower-case hex");
  }

  @Test
  void rejectsLifetimeAbovePolicy() {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    assertRejected(
        () ->
            PKI.issuer.issue(
                LeafRequest.forPublicKey(PKI.id("node", "n1"), keys.getPublic())
                    .lifetime(Duration.ofDays(91))
                    .build()),
        Reason.LIFETIME_NOT_ALLOWED,
        "lifetime: PT2184H (expected: at most PT2160H)");
  }

  @Test
  void rejectsLeafLongerThanItsIssuer() {
    TestPki shortIssuer =
        TestPki.create(
            "short.test", KeyAlgorithm.EC_P256, Duration.ofHours(10), IssuancePolicy.DEFAULT);
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    assertRejected(
        () ->
            shortIssuer.issuer.issue(
                LeafRequest.forPublicKey(shortIssuer.id("node", "n1"), keys.getPublic()).build()),
        Reason.OUTLIVES_ISSUER,
        "expected: ending by the issuer's notAfter");
  }

  @Test
  void truncatesToIssuerWhenPolicySays() {
    TestPki shortIssuer =
        TestPki.create(
            "trunc.test",
            KeyAlgorithm.EC_P256,
            Duration.ofHours(10),
            IssuancePolicy.DEFAULT.withIssuerExpiry(IssuerExpiry.TRUNCATE));
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    IssuedCertificate issued =
        shortIssuer.issuer.issue(
            LeafRequest.forPublicKey(shortIssuer.id("node", "n1"), keys.getPublic()).build());
    assertThat(issued.notAfter())
        .isEqualTo(shortIssuer.issuerCertificate.getNotAfter().toInstant());
    assertThat(issued.notAfter()).isBefore(TestPki.NOW.plus(Duration.ofHours(24)));
  }

  @Test
  void refusesToIssueFromExpiredIssuer() {
    TestPki expiring =
        TestPki.create(
            "expired.test", KeyAlgorithm.EC_P256, Duration.ofHours(10), IssuancePolicy.DEFAULT);
    expiring.clock.advance(Duration.ofHours(11));
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    assertThatThrownBy(
            () ->
                expiring.issuer.issue(
                    LeafRequest.forPublicKey(expiring.id("node", "n1"), keys.getPublic())
                        .lifetime(Duration.ofMinutes(1))
                        .build()))
        .isInstanceOf(IssuerNotValidException.class)
        .hasMessageContaining("expected: valid now")
        .hasMessageContaining("rotate the issuing CA");
  }

  @Test
  void refusesIdsOutsideItsTrustDomainOrWithoutPath() {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    assertRejected(
        () ->
            PKI.issuer.issue(
                LeafRequest.forPublicKey(
                        TrustDomain.parse("other.test").id("node", "n1"), keys.getPublic())
                    .build()),
        Reason.SPIFFE_ID_NOT_ALLOWED,
        "expected: a non-empty path in trust domain issue.test");
    assertRejected(
        () ->
            PKI.issuer.issue(
                LeafRequest.forPublicKey(PKI.trustDomain.spiffeId(), keys.getPublic()).build()),
        Reason.SPIFFE_ID_NOT_ALLOWED,
        "non-empty path");
  }

  @Test
  void rsaLeavesGetKeyEnciphermentToo() {
    KeyPair keys = KeyAlgorithm.RSA.generateKeyPair(TestPki.RANDOM);
    IssuedCertificate issued =
        PKI.issuer.issue(LeafRequest.forCsr(PKI.id("node", "rsa"), Csr.create(keys)).build());
    assertThat(issued.certificate().getKeyUsage()[2]).as("keyEncipherment").isTrue();
  }

  @Test
  void refusesMismatchedOrNonCaIssuers() {
    KeyPair other = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    assertThatThrownBy(
            () ->
                IssuingCa.of(
                    List.of(PKI.issuerCertificate),
                    other.getPrivate(),
                    IssuancePolicy.DEFAULT,
                    PKI.clock,
                    TestPki.RANDOM))
        .isInstanceOf(IssuerNotValidException.class)
        .hasMessageContaining("does not match");
    TestPki.Leaf leaf = PKI.leaf("node", "n1");
    assertThatThrownBy(
            () ->
                IssuingCa.of(
                    leaf.chain(),
                    leaf.keys().getPrivate(),
                    IssuancePolicy.DEFAULT,
                    PKI.clock,
                    TestPki.RANDOM))
        .hasMessageContaining("not a CA certificate");
    assertThatThrownBy(
            () ->
                RootCa.of(
                    PKI.issuerCertificate, PKI.issuerKeys.getPrivate(), PKI.clock, TestPki.RANDOM))
        .hasMessageContaining("not self-signed");
    RootCa reloaded =
        RootCa.of(PKI.root.certificate(), PKI.root.privateKey(), PKI.clock, TestPki.RANDOM);
    assertThat(reloaded.trustDomain()).isEqualTo(PKI.trustDomain);
    assertThat(reloaded.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void unsealsIssuerKeySealedUnderKek() {
    KeyEncryptionKey kek = KeyEncryptionKey.generate(TestPki.RANDOM);
    String keyId = KeyId.of(PKI.issuerKeys.getPublic()).toString();
    SealedKey sealed =
        kek.seal(PKI.issuerKeys.getPrivate(), IssuingCa.SEALED_KEY_PURPOSE, keyId, TestPki.RANDOM);
    IssuingCa unsealed =
        IssuingCa.unseal(
            List.of(PKI.issuerCertificate, PKI.root.certificate()),
            SealedKey.parse(sealed.encoded()),
            kek,
            IssuancePolicy.DEFAULT,
            PKI.clock,
            TestPki.RANDOM);
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    assertThat(
            unsealed
                .issue(LeafRequest.forPublicKey(PKI.id("node", "x"), keys.getPublic()).build())
                .certificate())
        .isNotNull();
    assertThatThrownBy(
            () ->
                IssuingCa.unseal(
                    List.of(PKI.issuerCertificate),
                    sealed,
                    KeyEncryptionKey.generate(TestPki.RANDOM),
                    IssuancePolicy.DEFAULT,
                    PKI.clock,
                    TestPki.RANDOM))
        .isInstanceOf(KeySealException.class);
  }

  @Test
  void policyChecksItsBounds() {
    assertThatThrownBy(() -> IssuancePolicy.DEFAULT.withDefaultLifetime(Duration.ofDays(100)))
        .hasMessageContaining("defaultLifetime");
    assertThatThrownBy(() -> IssuancePolicy.DEFAULT.withBackdate(Duration.ofHours(2)))
        .hasMessageContaining("backdate");
    assertThat(IssuancePolicy.DEFAULT.withBackdate(Duration.ZERO).backdate()).isZero();
  }

  @Test
  void backdateNeverPrecedesIssuerNotBefore() {
    TestPki pki =
        TestPki.create(
            "backdate.test",
            KeyAlgorithm.EC_P256,
            Duration.ofDays(1),
            IssuancePolicy.DEFAULT.withBackdate(Duration.ofHours(1)));
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    Instant leafNotBefore =
        pki.issuer
            .issue(LeafRequest.forPublicKey(pki.id("node", "n"), keys.getPublic()).build())
            .notBefore();
    assertThat(leafNotBefore).isEqualTo(pki.issuerCertificate.getNotBefore().toInstant());
  }
}
