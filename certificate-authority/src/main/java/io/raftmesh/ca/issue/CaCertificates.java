package io.raftmesh.ca.issue;

import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.UnsupportedKeyException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.jspecify.annotations.Nullable;

/** Checks shared by {@link RootCa} and {@link IssuingCa} when they load a certificate and key. */
final class CaCertificates {
  private CaCertificates() {}

  /** The CA key's type; CAs sign with EC keys only. */
  static KeyAlgorithm caKeyAlgorithm(String what, PublicKey key) {
    KeyAlgorithm algorithm;
    try {
      algorithm = KeyAlgorithm.of(key);
    } catch (UnsupportedKeyException e) {
      throw new IssuerNotValidException(what + ": " + e.getMessage());
    }
    if (!algorithm.isEc()) {
      throw new IssuerNotValidException(
          what + ": key " + algorithm + " (expected: EC P-256 or P-384)");
    }
    return algorithm;
  }

  /** Checks that {@code certificate} is a CA allowed to sign certificates. */
  static void checkCa(String what, X509Certificate certificate) {
    boolean[] usage = certificate.getKeyUsage();
    if (certificate.getBasicConstraints() < 0) {
      throw new IssuerNotValidException(
          what + ": not a CA certificate (expected: basicConstraints cA=true)");
    }
    if (usage == null || usage.length < 6 || !usage[5]) {
      throw new IssuerNotValidException(
          what + ": no keyCertSign key usage (expected: keyCertSign)");
    }
  }

  /** Proves that {@code privateKey} belongs to {@code publicKey} by signing a random challenge. */
  static void checkKeyPair(
      String what, PrivateKey privateKey, PublicKey publicKey, KeyAlgorithm algorithm) {
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm.signatureAlgorithm());
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm.signatureAlgorithm());
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // Falls through: a key of the wrong type is a mismatch too.
    }
    throw new IssuerNotValidException(
        what
            + ": the private key does not match the certificate's public key (expected: the key"
            + " pair of the certificate)");
  }

  /** The certificate's SubjectKeyIdentifier, or one computed from its key when absent. */
  static byte[] subjectKeyId(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (extension != null) {
      try {
        return SubjectKeyIdentifier.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(extension).getOctets())
            .getKeyIdentifier();
      } catch (IllegalArgumentException e) {
        // Malformed: fall back to computing it.
      }
    }
    return CertificateSigner.subjectKeyId(certificate.getPublicKey());
  }

  /** The trust domain in a CA certificate's URI SAN ({@code spiffe://<td>}), or null. */
  static @Nullable TrustDomain trustDomainFromSan(X509Certificate certificate) {
    try {
      SpiffeId id = SpiffeId.fromCertificate(certificate);
      return id.isTrustDomainId() ? id.trustDomain() : null;
    } catch (InvalidSpiffeIdException e) {
      return null;
    }
  }

  /** Whether {@code certificate} is self-signed (a root). */
  static boolean isSelfSigned(X509Certificate certificate) {
    if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      certificate.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
