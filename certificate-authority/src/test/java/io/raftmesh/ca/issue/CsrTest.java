package io.raftmesh.ca.issue;

import static io.raftmesh.ca.issue.TestCsrs.csr;
import static io.raftmesh.ca.issue.TestCsrs.extension;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.TestPki;
import io.raftmesh.ca.issue.RejectedRequestException.Reason;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import java.security.KeyPair;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CsrTest {
  static void assertRejected(ThrowingCallable call, Reason reason, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            RejectedRequestException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void acceptsEveryAllowedKeyType(KeyAlgorithm algorithm) {
    KeyPair keys = algorithm.generateKeyPair(TestPki.RANDOM);
    Csr csr = Csr.parsePem(Csr.create(keys).toPem());
    assertThat(csr.keyAlgorithm()).isEqualTo(algorithm);
    assertThat(csr.publicKey()).isEqualTo(keys.getPublic());
  }

  @Test
  void rejectsBadSignature() throws Exception {
    byte[] der = csr(TestCsrs.ecKeys("secp256r1"), "SHA256withECDSA");
    // The signature BIT STRING ends the DER: corrupt its last byte.
    der[der.length - 1] ^= 0x01;
    assertRejected(
        () -> Csr.parseDer(der), Reason.CSR_BAD_SIGNATURE, "csr: signature does not verify");
  }

  @Test
  void rejectsSignatureByAnotherKey() throws Exception {
    KeyPair a = TestCsrs.ecKeys("secp256r1");
    KeyPair b = TestCsrs.ecKeys("secp256r1");
    byte[] der = csr(new KeyPair(a.getPublic(), b.getPrivate()), "SHA256withECDSA");
    assertRejected(() -> Csr.parseDer(der), Reason.CSR_BAD_SIGNATURE, "signature does not verify");
  }

  @Test
  void rejectsRsa1024() throws Exception {
    byte[] der = csr(TestCsrs.keys("RSA", 1024), "SHA256withRSA");
    assertRejected(
        () -> Csr.parseDer(der),
        Reason.KEY_NOT_ALLOWED,
        "csr: public key: RSA-1024 (expected: EC P-256");
  }

  @Test
  void rejectsDsa() throws Exception {
    byte[] der = csr(TestCsrs.keys("DSA", 2048), "SHA256withDSA");
    assertRejected(
        () -> Csr.parseDer(der), Reason.KEY_NOT_ALLOWED, "public key: DSA (expected: EC P-256");
  }

  @Test
  void rejectsOtherCurves() throws Exception {
    byte[] der = csr(TestCsrs.ecKeys("secp521r1"), "SHA512withECDSA");
    assertRejected(() -> Csr.parseDer(der), Reason.KEY_NOT_ALLOWED, "EC on curve 1.3.132.0.35");
  }

  @Test
  void rejectsSha1Signatures() throws Exception {
    byte[] der = csr(TestCsrs.ecKeys("secp256r1"), "SHA1withECDSA");
    assertRejected(
        () -> Csr.parseDer(der),
        Reason.CSR_SIGNATURE_ALGORITHM,
        "signature algorithm 1.2.840.10045.4.1");
  }

  @Test
  void rejectsCsrAskingForCaTrue() throws Exception {
    byte[] der =
        csr(
            TestCsrs.ecKeys("secp256r1"),
            "SHA256withECDSA",
            extension(Extension.basicConstraints, true, new BasicConstraints(true)));
    assertRejected(
        () -> Csr.parseDer(der), Reason.CA_REQUESTED, "requests basicConstraints cA=true");
  }

  @Test
  void rejectsCsrAskingForKeyCertSign() throws Exception {
    byte[] der =
        csr(
            TestCsrs.ecKeys("secp256r1"),
            "SHA256withECDSA",
            extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign)));
    assertRejected(() -> Csr.parseDer(der), Reason.CA_REQUESTED, "keyCertSign");
  }

  @Test
  void acceptsCsrRequestingSansButKeepsThemOutOfTheCsrObject() throws Exception {
    GeneralNames sans =
        new GeneralNames(
            new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://td/admin/root"));
    byte[] der =
        csr(
            TestCsrs.ecKeys("secp256r1"),
            "SHA256withECDSA",
            extension(Extension.subjectAlternativeName, false, sans));
    assertThat(Csr.parseDer(der).keyAlgorithm()).isEqualTo(KeyAlgorithm.EC_P256);
  }

  @Test
  void rejectsOversizedCsr() throws Exception {
    GeneralName[] names = new GeneralName[3000];
    for (int i = 0; i < names.length; i++) {
      names[i] = new GeneralName(GeneralName.dNSName, "host-" + i + ".example.org");
    }
    byte[] der =
        csr(
            TestCsrs.ecKeys("secp256r1"),
            "SHA256withECDSA",
            extension(Extension.subjectAlternativeName, false, new GeneralNames(names)));
    assertThat(der.length).isGreaterThan(Csr.MAX_BYTES);
    assertRejected(
        () -> Csr.parseDer(der),
        Reason.CSR_TOO_LARGE,
        "csr: " + der.length + " bytes (expected: at most 65536)");
    String pem = Pem.encode(Pem.CERTIFICATE_REQUEST, der);
    assertRejected(() -> Csr.parsePem(pem), Reason.CSR_TOO_LARGE, "(expected: at most 65536)");
  }

  @Test
  void rejectsGarbageAndTruncation() throws Exception {
    assertRejected(() -> Csr.parsePem("not pem"), Reason.CSR_MALFORMED, "csr: pem: line 1");
    assertRejected(
        () -> Csr.parseDer(new byte[] {0x30, 0x03, 1, 2, 3}),
        Reason.CSR_MALFORMED,
        "not a well-formed PKCS#10");
    byte[] der = csr(TestCsrs.ecKeys("secp256r1"), "SHA256withECDSA");
    assertRejected(
        () -> Csr.parseDer(Arrays.copyOf(der, der.length - 10)),
        Reason.CSR_MALFORMED,
        "not a well-formed");
    String certPem =
        Pem.encodeCertificates(java.util.List.of(TestPki.create("x.test").root.certificate()));
    assertRejected(
        () -> Csr.parsePem(certPem),
        Reason.CSR_MALFORMED,
        "block 1 is CERTIFICATE (expected: CERTIFICATE REQUEST)");
  }
}
