package io.raftmesh.ca.issue;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.CertificateSigner.Ext;
import io.raftmesh.ca.keys.KeyAlgorithm;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's root CA: a self-signed ECDSA certificate ({@code CA:true}, keyCertSign + cRLSign, SKI,
 * URI SAN {@code spiffe://<td>}) and its private key. It lives offline ({@code raftmesh ca
 * bootstrap}); its only job in the cluster's life is to sign issuing CAs with {@link #signIssuer}.
 * Its {@link #fingerprint()} is what join tokens pin.
 */
public final class RootCa {
  private static final Logger log = LoggerFactory.getLogger(RootCa.class);

  /** Default root lifetime: 10 years. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(3650);

  /** Default issuing CA lifetime: 1 year. */
  public static final Duration DEFAULT_ISSUER_VALIDITY = Duration.ofDays(365);

  /** How far notBefore of CA certificates is set in the past, for peers with lagging clocks. */
  static final Duration CA_BACKDATE = Duration.ofMinutes(5);

  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final KeyAlgorithm algorithm;
  private final TrustDomain trustDomain;
  private final byte[] subjectKeyId;
  private final Clock clock;
  private final SecureRandom random;

  private RootCa(
      X509Certificate certificate,
      PrivateKey privateKey,
      KeyAlgorithm algorithm,
      TrustDomain trustDomain,
      Clock clock,
      SecureRandom random) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.algorithm = algorithm;
    this.trustDomain = trustDomain;
    this.subjectKeyId = CaCertificates.subjectKeyId(certificate);
    this.clock = clock;
    this.random = random;
  }

  /**
   * Generates a new root key and self-signed certificate.
   *
   * @param algorithm {@link KeyAlgorithm#EC_P256} (the usual choice) or {@link
   *     KeyAlgorithm#EC_P384}
   * @param validity lifetime, e.g. {@link #DEFAULT_VALIDITY}
   */
  public static RootCa generate(
      TrustDomain trustDomain,
      KeyAlgorithm algorithm,
      Duration validity,
      Clock clock,
      SecureRandom random) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(algorithm, "algorithm");
    requireNonNull(validity, "validity");
    requireNonNull(clock, "clock");
    requireNonNull(random, "random");
    if (!algorithm.isEc()) {
      throw new IllegalArgumentException(
          "algorithm: " + algorithm + " (expected: EC_P256 or EC_P384)");
    }
    if (validity.compareTo(Duration.ofDays(1)) < 0
        || validity.compareTo(Duration.ofDays(36500)) > 0) {
      throw new IllegalArgumentException(
          "validity: " + validity + " (expected: between 1 day and 100 years)");
    }
    KeyPair keys = algorithm.generateKeyPair(random);
    Instant now = clock.instant();
    X500Name name = CertificateSigner.caName("raftmesh root", trustDomain.name(), keys.getPublic());
    X509Certificate certificate =
        CertificateSigner.sign(
            name,
            keys.getPrivate(),
            algorithm,
            SerialNumber.random(random).value(),
            now.minus(CA_BACKDATE),
            now.plus(validity),
            name,
            keys.getPublic(),
            CertificateSigner.subjectKeyId(keys.getPublic()),
            List.of(
                new Ext(Extension.basicConstraints, true, new BasicConstraints(true)),
                new Ext(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                new Ext(Extension.subjectAlternativeName, false, trustDomainSan(trustDomain))));
    RootCa root = new RootCa(certificate, keys.getPrivate(), algorithm, trustDomain, clock, random);
    log.info(
        "root CA created: trust_domain={} key={} fingerprint={} not_after={}",
        trustDomain,
        algorithm,
        root.fingerprint(),
        certificate.getNotAfter().toInstant());
    return root;
  }

  /**
   * Loads a root from its certificate and private key (e.g. PEM files), checking that it is a
   * self-signed EC CA with a {@code spiffe://<td>} URI SAN and that the key matches.
   *
   * @throws IssuerNotValidException naming what does not fit
   */
  public static RootCa of(
      X509Certificate certificate, PrivateKey privateKey, Clock clock, SecureRandom random) {
    requireNonNull(certificate, "certificate");
    requireNonNull(privateKey, "privateKey");
    String what = "root certificate " + certificate.getSubjectX500Principal().getName();
    CaCertificates.checkCa(what, certificate);
    if (!CaCertificates.isSelfSigned(certificate)) {
      throw new IssuerNotValidException(what + ": not self-signed (expected: a root certificate)");
    }
    KeyAlgorithm algorithm = CaCertificates.caKeyAlgorithm(what, certificate.getPublicKey());
    CaCertificates.checkKeyPair(what, privateKey, certificate.getPublicKey(), algorithm);
    TrustDomain td = CaCertificates.trustDomainFromSan(certificate);
    if (td == null) {
      throw new IssuerNotValidException(
          what + ": no URI SAN spiffe://<trust-domain> (expected: a raftmesh root)");
    }
    return new RootCa(
        certificate,
        privateKey,
        algorithm,
        td,
        requireNonNull(clock, "clock"),
        requireNonNull(random, "random"));
  }

  /**
   * Signs an issuing (intermediate) CA certificate for {@code issuerKey}: {@code CA:true,
   * pathLen:0}, keyCertSign + cRLSign, a critical name constraint permitting only URIs in this
   * trust domain, URI SAN {@code spiffe://<td>}. Its notAfter must not pass the root's.
   *
   * @throws IssuerNotValidException when the root is not valid now
   * @throws IllegalArgumentException when the key is not EC or the validity would pass the root's
   */
  public X509Certificate signIssuer(PublicKey issuerKey, Duration validity) {
    requireNonNull(issuerKey, "issuerKey");
    requireNonNull(validity, "validity");
    checkConstrainable(trustDomain);
    KeyAlgorithm issuerAlgorithm = KeyAlgorithm.of(issuerKey);
    if (!issuerAlgorithm.isEc()) {
      throw new IllegalArgumentException(
          "issuerKey: " + issuerAlgorithm + " (expected: EC P-256 or P-384)");
    }
    Instant now = clock.instant();
    Instant rootNotBefore = certificate.getNotBefore().toInstant();
    Instant rootNotAfter = certificate.getNotAfter().toInstant();
    if (now.isBefore(rootNotBefore) || !now.isBefore(rootNotAfter)) {
      throw new IssuerNotValidException(
          "root certificate: valid "
              + rootNotBefore
              + " to "
              + rootNotAfter
              + " (expected: valid now, "
              + now
              + ")");
    }
    if (validity.isNegative() || validity.isZero() || now.plus(validity).isAfter(rootNotAfter)) {
      throw new IllegalArgumentException(
          "validity: "
              + validity
              + " ends "
              + now.plus(validity)
              + " (expected: > 0 and ending by the root's notAfter "
              + rootNotAfter
              + ")");
    }
    Instant notBefore = now.minus(CA_BACKDATE);
    if (notBefore.isBefore(rootNotBefore)) {
      notBefore = rootNotBefore;
    }
    NameConstraints constraints =
        new NameConstraints(
            new GeneralSubtree[] {
              // RFC 5280 4.2.1.10: a URI constraint names the host; this one permits exactly
              // spiffe://<td>/... (not subdomains, which would need a leading '.').
              new GeneralSubtree(
                  new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain.name()))
            },
            null);
    X509Certificate issuer =
        CertificateSigner.sign(
            X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
            privateKey,
            algorithm,
            SerialNumber.random(random).value(),
            notBefore,
            now.plus(validity),
            CertificateSigner.caName("raftmesh issuing CA", trustDomain.name(), issuerKey),
            issuerKey,
            subjectKeyId,
            List.of(
                new Ext(Extension.basicConstraints, true, new BasicConstraints(0)),
                new Ext(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                new Ext(Extension.nameConstraints, true, constraints),
                new Ext(Extension.subjectAlternativeName, false, trustDomainSan(trustDomain))));
    log.info(
        "issuing CA signed: trust_domain={} root={} not_after={}",
        trustDomain,
        fingerprint(),
        issuer.getNotAfter().toInstant());
    return issuer;
  }

  /**
   * SPIFFE allows '_' in trust domains, but the JDK refuses to parse a URI name constraint whose
   * host is not a DNS name, so Java peers could not load the issuing CA certificate at all.
   */
  static void checkConstrainable(TrustDomain trustDomain) {
    if (trustDomain.name().indexOf('_') >= 0) {
      throw new IllegalArgumentException(
          "trustDomain: "
              + trustDomain
              + " (expected: no '_' for a raftmesh CA: Java cannot parse"
              + " an X.509 URI name constraint with it)");
    }
  }

  static GeneralNames trustDomainSan(TrustDomain trustDomain) {
    return new GeneralNames(
        new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain.spiffeId().toString()));
  }

  /** The self-signed certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The root private key: keep it offline. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The trust domain. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The SHA-256 fingerprint of the certificate. */
  public Fingerprint fingerprint() {
    return Fingerprint.of(certificate);
  }

  /** Names the trust domain and fingerprint; never the key. */
  @Override
  public String toString() {
    return "RootCa{trustDomain=" + trustDomain + ", fingerprint=" + fingerprint() + "}";
  }
}
