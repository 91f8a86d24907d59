package io.raftmesh.ca.issue;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.issue.RejectedRequestException.Reason;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.UnsupportedKeyException;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.pem.PemException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A PKCS#10 certificate signing request that has passed every check, so holding one means it is
 * fine to sign: at most {@link #MAX_BYTES}; the key is EC P-256, EC P-384 or RSA 2,048-8,192; the
 * signature algorithm is SHA-256/384/512 with ECDSA or RSA; the self-signature verifies; it does
 * not ask for a CA certificate. Its subject and requested SANs are ignored: the CA sets the
 * identity.
 */
public final class Csr {
  /** The largest CSR accepted, DER or PEM text, in bytes. */
  public static final int MAX_BYTES = 64 * 1024;

  private static final Set<ASN1ObjectIdentifier> SIGNATURE_ALGORITHMS =
      Set.of(
          X9ObjectIdentifiers.ecdsa_with_SHA256,
          X9ObjectIdentifiers.ecdsa_with_SHA384,
          X9ObjectIdentifiers.ecdsa_with_SHA512,
          PKCSObjectIdentifiers.sha256WithRSAEncryption,
          PKCSObjectIdentifiers.sha384WithRSAEncryption,
          PKCSObjectIdentifiers.sha512WithRSAEncryption);

  private final byte[] der;
  private final PublicKey publicKey;
  private final KeyAlgorithm keyAlgorithm;

  private Csr(byte[] der, PublicKey publicKey, KeyAlgorithm keyAlgorithm) {
    this.der = der;
    this.publicKey = publicKey;
    this.keyAlgorithm = keyAlgorithm;
  }

  /**
   * Parses and checks a PEM CSR ({@code CERTIFICATE REQUEST}).
   *
   * @throws RejectedRequestException naming the first check that failed
   */
  public static Csr parsePem(String pem) {
    requireNonNull(pem, "pem");
    if (pem.length() > MAX_BYTES) {
      throw tooLarge(pem.length());
    }
    byte[] der;
    try {
      der = Pem.decodeSingle(pem, Pem.CERTIFICATE_REQUEST);
    } catch (PemException e) {
      throw new RejectedRequestException(Reason.CSR_MALFORMED, "csr: " + e.getMessage(), e);
    }
    return parseDer(der);
  }

  /**
   * Parses and checks a DER CSR.
   *
   * @throws RejectedRequestException naming the first check that failed
   */
  public static Csr parseDer(byte[] der) {
    requireNonNull(der, "der");
    if (der.length > MAX_BYTES) {
      throw tooLarge(der.length);
    }
    JcaPKCS10CertificationRequest request;
    PublicKey publicKey;
    try {
      request = new JcaPKCS10CertificationRequest(der.clone());
      publicKey = request.getPublicKey();
    } catch (IOException | RuntimeException | GeneralSecurityException e) {
      throw new RejectedRequestException(
          Reason.CSR_MALFORMED,
          "csr: not a well-formed PKCS#10 request (expected: DER CertificationRequest): "
              + e.getMessage(),
          e);
    }
    KeyAlgorithm algorithm;
    try {
      algorithm = KeyAlgorithm.of(publicKey);
    } catch (UnsupportedKeyException e) {
      throw new RejectedRequestException(Reason.KEY_NOT_ALLOWED, "csr: " + e.getMessage(), e);
    }
    ASN1ObjectIdentifier signatureAlgorithm = request.getSignatureAlgorithm().getAlgorithm();
    if (!SIGNATURE_ALGORITHMS.contains(signatureAlgorithm)) {
      throw new RejectedRequestException(
          Reason.CSR_SIGNATURE_ALGORITHM,
          "csr: signature algorithm "
              + signatureAlgorithm
              + " (expected: ECDSA or RSA PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512)");
    }
    boolean valid;
    try {
      valid =
          request.isSignatureValid(
              new JcaContentVerifierProviderBuilder()
                  .setProvider(SigningProvider.BC)
                  // From the encoded key, so BouncyCastle uses its cached named-curve tables.
                  .build(request.getSubjectPublicKeyInfo()));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw new RejectedRequestException(
          Reason.CSR_BAD_SIGNATURE,
          "csr: signature does not verify (expected: signed by the private key of the CSR's"
              + " public key)");
    }
    checkNotCa(request);
    return new Csr(der.clone(), publicKey, algorithm);
  }

  /** A CSR for {@code keyPair}, subject {@code CN=raftmesh} (the CA ignores it). */
  public static Csr create(KeyPair keyPair) {
    requireNonNull(keyPair, "keyPair");
    KeyAlgorithm algorithm = KeyAlgorithm.of(keyPair.getPublic());
    try {
      byte[] der =
          new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=raftmesh"), keyPair.getPublic())
              .build(
                  new JcaContentSignerBuilder(algorithm.signatureAlgorithm())
                      .build(keyPair.getPrivate()))
              .getEncoded();
      return new Csr(der, keyPair.getPublic(), algorithm);
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot sign a CSR with a " + algorithm + " key", e);
    }
  }

  private static void checkNotCa(JcaPKCS10CertificationRequest request) {
    for (Attribute attribute :
        request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (ASN1Encodable value : attribute.getAttributeValues()) {
        Extensions extensions;
        BasicConstraints constraints;
        KeyUsage usage;
        try {
          extensions = Extensions.getInstance(value);
          constraints = BasicConstraints.fromExtensions(extensions);
          usage = KeyUsage.fromExtensions(extensions);
        } catch (RuntimeException e) {
          throw new RejectedRequestException(
              Reason.CSR_MALFORMED,
              "csr: malformed extension request (expected: X.509 Extensions)",
              e);
        }
        if (constraints != null && constraints.isCA()) {
          throw new RejectedRequestException(
              Reason.CA_REQUESTED,
              "csr: requests basicConstraints cA=true (expected: a leaf request; the mesh issues no"
                  + " CA certificates from CSRs)");
        }
        if (usage != null
            && (usage.hasUsages(KeyUsage.keyCertSign) || usage.hasUsages(KeyUsage.cRLSign))) {
          throw new RejectedRequestException(
              Reason.CA_REQUESTED,
              "csr: requests keyCertSign or cRLSign key usage (expected: a leaf request)");
        }
      }
    }
  }

  private static RejectedRequestException tooLarge(int size) {
    return new RejectedRequestException(
        Reason.CSR_TOO_LARGE, "csr: " + size + " bytes (expected: at most " + MAX_BYTES + ")");
  }

  /** The checked public key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The key's type. */
  public KeyAlgorithm keyAlgorithm() {
    return keyAlgorithm;
  }

  /** The DER encoding (a copy). */
  public byte[] encoded() {
    return der.clone();
  }

  /** The PEM encoding ({@code CERTIFICATE REQUEST}). */
  public String toPem() {
    return Pem.encode(Pem.CERTIFICATE_REQUEST, der);
  }

  @Override
  public String toString() {
    return "Csr{key=" + keyAlgorithm + "}";
  }
}
