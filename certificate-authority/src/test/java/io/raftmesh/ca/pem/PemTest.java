package io.raftmesh.ca.pem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.TestPki;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.keys.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
  static final TestPki PKI = TestPki.create("pem.test");

  @TempDir Path dir;

  @Test
  void roundTripsCertificatesChainsKeysAndCsrs() {
    TestPki.Leaf leaf = PKI.leaf("node", "n1");
    List<X509Certificate> chain = leaf.chain();
    assertThat(Pem.decodeCertificates(Pem.encodeCertificates(chain))).isEqualTo(chain);
    assertThat(Pem.decodeCertificate(Pem.encodeCertificates(List.of(chain.get(0)))))
        .isEqualTo(chain.get(0));
    PrivateKey key = leaf.keys().getPrivate();
    assertThat(Pem.decodePrivateKey(Pem.encodePrivateKey(key)).getEncoded())
        .isEqualTo(key.getEncoded());
    Csr csr = Csr.create(leaf.keys());
    assertThat(Csr.parsePem(csr.toPem()).encoded()).isEqualTo(csr.encoded());
    assertThat(Pem.encodeCertificates(chain)).startsWith("-----BEGIN CERTIFICATE-----\n");
  }

  @Test
  void rsaKeysRoundTripToo() {
    KeyPair rsa = KeyAlgorithm.RSA.generateKeyPair(TestPki.RANDOM);
    assertThat(Pem.decodePrivateKey(Pem.encodePrivateKey(rsa.getPrivate())).getEncoded())
        .isEqualTo(rsa.getPrivate().getEncoded());
  }

  @Test
  void rejectsGarbage() {
    assertThatThrownBy(() -> Pem.decodeCertificates("hello world"))
        .isInstanceOf(PemException.class)
        .hasMessageContaining("line 1 is \"hello world\" (expected: only PEM blocks");
    assertThatThrownBy(() -> Pem.decodeCertificates("")).hasMessageContaining("no PEM block found");
    assertThatThrownBy(() -> Pem.decodeCertificates("  \n\n"))
        .hasMessageContaining("no PEM block found");
  }

  @Test
  void rejectsWrongBlockType() {
    String keyPem = Pem.encodePrivateKey(PKI.issuerKeys.getPrivate());
    assertThatThrownBy(() -> Pem.decodeCertificates(keyPem))
        .hasMessageContaining("block 1 is PRIVATE KEY (expected: CERTIFICATE)");
    String certPem = Pem.encodeCertificates(List.of(PKI.root.certificate()));
    assertThatThrownBy(() -> Pem.decodePrivateKey(certPem))
        .hasMessageContaining("block 1 is CERTIFICATE (expected: PRIVATE KEY)");
    assertThatThrownBy(() -> Pem.decodeCertificates(certPem + keyPem))
        .hasMessageContaining("block 2 is PRIVATE KEY (expected: CERTIFICATE)");
    assertThatThrownBy(() -> Pem.decodePrivateKey(Pem.encode("EC PRIVATE KEY", new byte[] {1})))
        .hasMessageContaining("openssl pkcs8 -topk8");
  }

  @Test
  void rejectsTruncatedInput() {
    String pem = Pem.encodeCertificates(List.of(PKI.root.certificate()));
    String noEnd = pem.substring(0, pem.indexOf("-----END"));
    assertThatThrownBy(() -> Pem.decodeCertificates(noEnd))
        .hasMessageContaining("has no END line")
        .hasMessageContaining("truncated input?");
    // Cut in the middle of the base64 but keep the END line: DER is short.
    String[] lines = pem.split("\n");
    String cut = lines[0] + "\n" + lines[1] + "\n" + lines[lines.length - 1] + "\n";
    assertThatThrownBy(() -> Pem.decodeCertificates(cut))
        .isInstanceOf(PemException.class)
        .hasMessageContaining("block 1 (CERTIFICATE) is not an X.509 certificate");
  }

  @Test
  void rejectsBadBase64MismatchedEndAndHeaders() {
    assertThatThrownBy(
            () -> Pem.decode("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"))
        .hasMessageContaining("invalid base64");
    assertThatThrownBy(
            () -> Pem.decode("-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n"))
        .hasMessageContaining("expected: \"-----END CERTIFICATE-----\"");
    assertThatThrownBy(
            () ->
                Pem.decode(
                    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
        .hasMessageContaining("header line");
    assertThatThrownBy(() -> Pem.decode("-----BEGIN X-----\n-----END X-----\n"))
        .hasMessageContaining("is empty");
  }

  @Test
  void rejectsOversizedText() {
    assertThatThrownBy(() -> Pem.decode("a".repeat(Pem.MAX_CHARS + 1)))
        .hasMessageContaining("at most");
  }

  @Test
  void writesPrivateKeysOwnerOnlyAndCertificatesWorldReadable() throws Exception {
    Path key = dir.resolve("node.key");
    Path crt = dir.resolve("node.crt");
    Pem.writePrivateKey(key, PKI.issuerKeys.getPrivate());
    Pem.writeCertificates(crt, List.of(PKI.issuerCertificate, PKI.root.certificate()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(crt)))
        .isEqualTo("rw-r--r--");
    assertThat(Pem.readPrivateKey(key).getEncoded())
        .isEqualTo(PKI.issuerKeys.getPrivate().getEncoded());
    assertThat(Pem.readCertificates(crt))
        .containsExactly(PKI.issuerCertificate, PKI.root.certificate());
    // Rewriting replaces atomically and leaves no temporary files behind.
    Pem.writePrivateKey(key, PKI.root.privateKey());
    assertThat(Pem.readPrivateKey(key).getEncoded()).isEqualTo(PKI.root.privateKey().getEncoded());
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("node.key", "node.crt");
    }
  }

  @Test
  void fileErrorsNameThePath() throws Exception {
    Path der = dir.resolve("root.der");
    Files.write(der, PKI.root.certificate().getEncoded());
    assertThatThrownBy(() -> Pem.readCertificates(der))
        .isInstanceOf(PemException.class)
        .hasMessageContaining("root.der");
    Path text = dir.resolve("notes.txt");
    Files.writeString(
        text, Base64.getEncoder().encodeToString("x".getBytes(StandardCharsets.US_ASCII)));
    assertThatThrownBy(() -> Pem.readPrivateKey(text))
        .hasMessageContaining("notes.txt: pem: line 1");
    assertThatThrownBy(() -> Pem.readPrivateKey(dir.resolve("missing.key")))
        .hasMessageContaining("missing.key");
  }
}
