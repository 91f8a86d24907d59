package io.raftmesh.chaos.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.chaos.workload.Enroller;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificateCheckerTest {
  private static final Date NOW = new Date();
  private static final String ID = "spiffe://chaos.test/ns/identity/sa/web";

  private static X509Certificate cert(
      String subject,
      KeyPair subjectKeys,
      String issuer,
      KeyPair issuerKeys,
      boolean ca,
      long serial,
      String uri)
      throws Exception {
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + issuer),
            BigInteger.valueOf(serial),
            new Date(NOW.getTime() - 60_000),
            new Date(NOW.getTime() + 3_600_000),
            new X500Name("CN=" + subject),
            subjectKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (ca) {
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static String pem(X509Certificate... certs) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (X509Certificate c : certs) {
        w.writeObject(c);
      }
    }
    return out.toString();
  }

  @Test
  void acceptsAGoodChainAndFlagsForeignRootsWrongIdentitiesAndSerials() throws Exception {
    KeyPair rootKeys = Enroller.newKeyPair();
    KeyPair issuerKeys = Enroller.newKeyPair();
    KeyPair leafKeys = Enroller.newKeyPair();
    KeyPair otherRootKeys = Enroller.newKeyPair();
    X509Certificate root = cert("root", rootKeys, "root", rootKeys, true, 1, "");
    X509Certificate issuer = cert("issuer", issuerKeys, "root", rootKeys, true, 2, "");
    X509Certificate leaf = cert("leaf", leafKeys, "issuer", issuerKeys, false, 0xabc, ID);
    X509Certificate otherRoot = cert("root", otherRootKeys, "root", otherRootKeys, true, 1, "");
    X509Certificate foreignIssuer = cert("issuer", issuerKeys, "root", otherRootKeys, true, 3, "");

    CheckResult r =
        CertificateChecker.check(
            List.of(
                new CertificateChecker.Issued(ID, pem(leaf, issuer), "abc", "good"),
                new CertificateChecker.Issued(ID, pem(leaf, foreignIssuer), "abc", "foreign"),
                new CertificateChecker.Issued(
                    "spiffe://chaos.test/node/n9", pem(leaf, issuer), "abc", "identity"),
                new CertificateChecker.Issued(ID, pem(leaf, issuer), "abd", "serial")),
            pem(root),
            NOW);

    assertThat(r.isValid()).isFalse();
    assertThat(r.count("ok")).isEqualTo(1);
    assertThat(r.anomalies("bad-chain")).singleElement().asString().contains("foreign");
    assertThat(r.anomalies("wrong-identity")).singleElement().asString().contains("node/n9");
    assertThat(r.anomalies("serial-mismatch")).singleElement().asString().contains("abd");
    assertThat(otherRoot.getSubjectX500Principal()).isEqualTo(root.getSubjectX500Principal());
  }

  @Test
  void aValidSetIsValid() throws Exception {
    KeyPair rootKeys = Enroller.newKeyPair();
    KeyPair leafKeys = Enroller.newKeyPair();
    X509Certificate root = cert("root", rootKeys, "root", rootKeys, true, 1, "");
    X509Certificate leaf = cert("leaf", leafKeys, "root", rootKeys, false, 0x10, ID);
    CheckResult r =
        CertificateChecker.check(
            List.of(new CertificateChecker.Issued(ID, pem(leaf, root), "10", "with root")),
            pem(root),
            NOW);
    assertThat(r.isValid()).as(r.summary()).isTrue();
  }
}
