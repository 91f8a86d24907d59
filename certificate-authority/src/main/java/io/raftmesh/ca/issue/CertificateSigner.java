package io.raftmesh.ca.issue;

import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.KeyId;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds and signs one X.509 v3 certificate; shared by the root, issuer and leaf paths. */
final class CertificateSigner {
  private CertificateSigner() {}

  /** One extension to add. */
  record Ext(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {}

  static X509Certificate sign(
      X500Name issuer,
      PrivateKey issuerKey,
      KeyAlgorithm issuerAlgorithm,
      BigInteger serial,
      Instant notBefore,
      Instant notAfter,
      X500Name subject,
      PublicKey subjectKey,
      byte[] authorityKeyId,
      List<Ext> extensions) {
    try {
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded());
      X509v3CertificateBuilder builder =
          new X509v3CertificateBuilder(
              issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, spki);
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyId(spki)));
      builder.addExtension(
          Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(authorityKeyId));
      for (Ext ext : extensions) {
        builder.addExtension(ext.oid(), ext.critical(), ext.value());
      }
      ContentSigner signer =
          new JcaContentSignerBuilder(issuerAlgorithm.signatureAlgorithm())
              .setProvider(SigningProvider.BC)
              .build(issuerKey);
      X509CertificateHolder holder = builder.build(signer);
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (IOException | OperatorCreationException | CertificateException e) {
      throw new IllegalStateException("cannot build a certificate for " + subject, e);
    }
  }

  /** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
  static byte[] subjectKeyId(SubjectPublicKeyInfo spki) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(spki.getPublicKeyData().getBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }

  static byte[] subjectKeyId(PublicKey key) {
    return subjectKeyId(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
  }

  /**
   * {@code O=raftmesh, OU=<trust domain>, CN=<role> <short key id>}: readable and distinct per key.
   */
  static X500Name caName(String role, String trustDomain, PublicKey key) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "raftmesh")
        .addRDN(BCStyle.OU, truncate(trustDomain))
        .addRDN(BCStyle.CN, role + " " + KeyId.of(key).toString().substring(0, 8))
        .build();
  }

  /** {@code O=raftmesh, CN=<name>}; the SPIFFE ID in the SAN is what identifies the subject. */
  static X500Name leafName(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "raftmesh")
        .addRDN(BCStyle.CN, truncate(commonName))
        .build();
  }

  /** X.520 upper bound for O, OU and CN. */
  private static String truncate(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64);
  }
}
