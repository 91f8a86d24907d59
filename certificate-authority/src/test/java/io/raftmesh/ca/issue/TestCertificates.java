package io.raftmesh.ca.issue;

import io.raftmesh.ca.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/** Signs certificates the CA itself refuses to make, so verifiers can be tested against them. */
public final class TestCertificates {
  private TestCertificates() {}

  /** A leaf signed by {@code issuer} with arbitrary URIs, CA bit and EKU. */
  public static X509Certificate leaf(
      X509Certificate issuer,
      PrivateKey issuerKey,
      PublicKey subjectKey,
      List<String> uris,
      boolean ca,
      KeyPurposeId[] eku,
      Instant notBefore,
      Instant notAfter) {
    List<CertificateSigner.Ext> extensions = new ArrayList<>();
    extensions.add(
        new CertificateSigner.Ext(Extension.basicConstraints, true, new BasicConstraints(ca)));
    extensions.add(
        new CertificateSigner.Ext(
            Extension.keyUsage,
            true,
            new KeyUsage(
                ca
                    ? KeyUsage.keyCertSign | KeyUsage.digitalSignature
                    : KeyUsage.digitalSignature)));
    if (eku.length > 0) {
      extensions.add(
          new CertificateSigner.Ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku)));
    }
    if (!uris.isEmpty()) {
      GeneralName[] names =
          uris.stream()
              .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u))
              .toArray(GeneralName[]::new);
      extensions.add(
          new CertificateSigner.Ext(
              Extension.subjectAlternativeName, false, new GeneralNames(names)));
    }
    return CertificateSigner.sign(
        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
        issuerKey,
        KeyAlgorithm.of(issuer.getPublicKey()),
        BigInteger.valueOf(System.nanoTime()),
        notBefore,
        notAfter,
        CertificateSigner.leafName("test"),
        subjectKey,
        CaCertificates.subjectKeyId(issuer),
        extensions);
  }
}
