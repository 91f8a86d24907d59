package io.raftmesh.ca.issue;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.CertificateSigner.Ext;
import io.raftmesh.ca.issue.IssuancePolicy.IssuerExpiry;
import io.raftmesh.ca.issue.RejectedRequestException.Reason;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.KeyEncryptionKey;
import io.raftmesh.ca.keys.KeyId;
import io.raftmesh.ca.keys.SealedKey;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's issuing CA: signs leaf certificates for SPIFFE IDs in its trust domain.
 * Thread-safe; each {@link #issue} is independent.
 *
 * <p>Every leaf it signs: exactly one URI SAN (the authorized SPIFFE ID) plus any DNS/IP SANs the
 * request names; EKU serverAuth + clientAuth; {@code CA:false}; key usage digitalSignature (and
 * keyEncipherment for RSA keys); a random positive 128-bit serial unless one is given; notBefore
 * backdated by the policy's allowance (never before the issuer's notBefore); a lifetime bounded by
 * the policy and never past the issuer's notAfter.
 */
public final class IssuingCa {
  private static final Logger log = LoggerFactory.getLogger(IssuingCa.class);

  /** The purpose an issuing CA key is sealed under ({@link KeyEncryptionKey#seal}). */
  public static final String SEALED_KEY_PURPOSE = "issuing-ca";

  private static final ExtendedKeyUsage LEAF_EKU =
      new ExtendedKeyUsage(
          new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});

  private final X509Certificate certificate;
  private final List<X509Certificate> chain;
  private final @Nullable X509Certificate root;
  private final PrivateKey privateKey;
  private final KeyAlgorithm algorithm;
  private final TrustDomain trustDomain;
  private final X500Name name;
  private final byte[] subjectKeyId;
  private final KeyId keyId;
  private final Instant notBefore;
  private final Instant notAfter;
  private final IssuancePolicy policy;
  private final Clock clock;
  private final SecureRandom random;

  private IssuingCa(
      List<X509Certificate> chain,
      PrivateKey privateKey,
      IssuancePolicy policy,
      Clock clock,
      SecureRandom random) {
    if (chain.isEmpty()) {
      throw new IssuerNotValidException(
          "issuer chain: empty (expected: the issuer certificate first)");
    }
    this.certificate = chain.get(0);
    String what = "issuer certificate " + certificate.getSubjectX500Principal().getName();
    CaCertificates.checkCa(what, certificate);
    this.algorithm = CaCertificates.caKeyAlgorithm(what, certificate.getPublicKey());
    CaCertificates.checkKeyPair(what, privateKey, certificate.getPublicKey(), algorithm);
    this.trustDomain = trustDomainOf(what, certificate);
    X509Certificate last = chain.get(chain.size() - 1);
    boolean hasRoot = chain.size() > 1 && CaCertificates.isSelfSigned(last);
    this.root = hasRoot ? last : null;
    this.chain = List.copyOf(hasRoot ? chain.subList(0, chain.size() - 1) : chain);
    this.privateKey = SigningProvider.toSigningKey(privateKey);
    this.name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    this.subjectKeyId = CaCertificates.subjectKeyId(certificate);
    this.keyId = KeyId.of(certificate.getPublicKey());
    this.notBefore = certificate.getNotBefore().toInstant();
    this.notAfter = certificate.getNotAfter().toInstant();
    this.policy = policy;
    this.clock = clock;
    this.random = random;
  }

  /**
   * An issuing CA from its chain and private key.
   *
   * @param chain the issuer certificate first, then any certificates above it; the root last, if
   *     included (it is kept apart: peers get it from the trust bundle)
   * @throws IssuerNotValidException when the certificate is not a CA, its key is not EC, the key
   *     does not match, or no trust domain can be found in its name constraints or URI SAN
   */
  public static IssuingCa of(
      List<X509Certificate> chain,
      PrivateKey privateKey,
      IssuancePolicy policy,
      Clock clock,
      SecureRandom random) {
    requireNonNull(chain, "chain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(policy, "policy");
    requireNonNull(clock, "clock");
    requireNonNull(random, "random");
    return new IssuingCa(List.copyOf(chain), privateKey, policy, clock, random);
  }

  /**
   * An issuing CA whose key was sealed under {@code kek} for {@link #SEALED_KEY_PURPOSE} and the
   * issuer's {@link KeyId} (what a control server reads from the replicated store).
   *
   * @throws io.raftmesh.ca.keys.KeySealException for a wrong KEK or a tampered blob
   */
  public static IssuingCa unseal(
      List<X509Certificate> chain,
      SealedKey sealedKey,
      KeyEncryptionKey kek,
      IssuancePolicy policy,
      Clock clock,
      SecureRandom random) {
    requireNonNull(chain, "chain");
    if (chain.isEmpty()) {
      throw new IssuerNotValidException(
          "issuer chain: empty (expected: the issuer certificate first)");
    }
    String keyId = KeyId.of(chain.get(0).getPublicKey()).toString();
    PrivateKey key = kek.unseal(sealedKey, SEALED_KEY_PURPOSE, keyId);
    return of(chain, key, policy, clock, random);
  }

  /**
   * Signs a leaf certificate.
   *
   * @throws IssuerNotValidException when this issuer is expired or not yet valid
   * @throws RejectedRequestException when the request is outside policy (nothing is issued)
   */
  public IssuedCertificate issue(LeafRequest request) {
    requireNonNull(request, "request");
    Instant now = clock.instant();
    if (now.isBefore(notBefore) || !now.isBefore(notAfter)) {
      throw new IssuerNotValidException(
          "issuer "
              + keyId
              + ": valid "
              + notBefore
              + " to "
              + notAfter
              + " (expected: valid now, "
              + now
              + "; rotate the issuing CA or fix the clock)");
    }
    SpiffeId id = request.spiffeId();
    if (!id.trustDomain().equals(trustDomain) || id.isTrustDomainId()) {
      throw new RejectedRequestException(
          Reason.SPIFFE_ID_NOT_ALLOWED,
          "spiffe id: "
              + CaException.quote(id.toString())
              + " (expected: a non-empty path in trust domain "
              + trustDomain
              + ")");
    }
    Duration lifetime = request.lifetime().orElse(policy.defaultLifetime());
    if (lifetime.compareTo(policy.maxLifetime()) > 0) {
      throw new RejectedRequestException(
          Reason.LIFETIME_NOT_ALLOWED,
          "lifetime: " + lifetime + " (expected: at most " + policy.maxLifetime() + ")");
    }
    Instant leafNotAfter = now.plus(lifetime);
    if (leafNotAfter.isAfter(notAfter)) {
      if (policy.issuerExpiry() == IssuerExpiry.REJECT) {
        throw new RejectedRequestException(
            Reason.OUTLIVES_ISSUER,
            "lifetime: "
                + lifetime
                + " ends "
                + leafNotAfter
                + " (expected: ending by the issuer's notAfter "
                + notAfter
                + ")");
      }
      leafNotAfter = notAfter;
    }
    Instant leafNotBefore = now.minus(policy.backdate());
    if (leafNotBefore.isBefore(notBefore)) {
      leafNotBefore = notBefore;
    }
    SerialNumber serial = request.serial().orElseGet(() -> SerialNumber.random(random));
    int usage = KeyUsage.digitalSignature;
    if (request.keyAlgorithm() == KeyAlgorithm.RSA) {
      // TLS 1.2 RSA key exchange needs it; harmless otherwise.
      usage |= KeyUsage.keyEncipherment;
    }
    List<String> segments = id.segments();
    X509Certificate leaf =
        CertificateSigner.sign(
            name,
            privateKey,
            algorithm,
            serial.value(),
            leafNotBefore,
            leafNotAfter,
            CertificateSigner.leafName(segments.get(segments.size() - 1)),
            request.publicKey(),
            subjectKeyId,
            List.of(
                new Ext(Extension.basicConstraints, true, new BasicConstraints(false)),
                new Ext(Extension.keyUsage, true, new KeyUsage(usage)),
                new Ext(Extension.extendedKeyUsage, false, LEAF_EKU),
                new Ext(Extension.subjectAlternativeName, false, sans(request))));
    List<X509Certificate> leafChain = new ArrayList<>(chain.size() + 1);
    leafChain.add(leaf);
    leafChain.addAll(chain);
    IssuedCertificate issued =
        new IssuedCertificate(
            leaf,
            leafChain,
            serial,
            id,
            leaf.getNotBefore().toInstant(),
            leaf.getNotAfter().toInstant());
    log.debug(
        "leaf issued: serial={} spiffe_id={} key={} not_after={} issuer={}",
        serial,
        id,
        request.keyAlgorithm(),
        issued.notAfter(),
        keyId);
    return issued;
  }

  private static GeneralNames sans(LeafRequest request) {
    List<GeneralName> names = new ArrayList<>();
    names.add(
        new GeneralName(GeneralName.uniformResourceIdentifier, request.spiffeId().toString()));
    for (String dns : request.dnsNames()) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (String ip : request.ipAddresses()) {
      names.add(new GeneralName(GeneralName.iPAddress, ip));
    }
    return new GeneralNames(names.toArray(new GeneralName[0]));
  }

  /** The trust domain from a single permitted URI name constraint, else from the URI SAN. */
  private static TrustDomain trustDomainOf(String what, X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.nameConstraints.getId());
    TrustDomain fromSan = CaCertificates.trustDomainFromSan(certificate);
    if (extension != null) {
      NameConstraints constraints;
      try {
        constraints =
            NameConstraints.getInstance(ASN1OctetString.getInstance(extension).getOctets());
      } catch (IllegalArgumentException e) {
        throw new IssuerNotValidException(what + ": malformed name constraints");
      }
      List<String> hosts = new ArrayList<>();
      GeneralSubtree[] permitted = constraints.getPermittedSubtrees();
      if (permitted != null) {
        for (GeneralSubtree subtree : permitted) {
          if (subtree.getBase().getTagNo() == GeneralName.uniformResourceIdentifier) {
            hosts.add(subtree.getBase().getName().toString());
          }
        }
      }
      if (hosts.size() == 1) {
        try {
          TrustDomain td = TrustDomain.parse(hosts.get(0));
          if (fromSan != null && !fromSan.equals(td)) {
            throw new IssuerNotValidException(
                what + ": URI SAN trust domain " + fromSan + " differs from name constraint " + td);
          }
          return td;
        } catch (InvalidSpiffeIdException e) {
          throw new IssuerNotValidException(what + ": name constraint " + e.getMessage());
        }
      }
      if (hosts.size() > 1) {
        throw new IssuerNotValidException(
            what
                + ": "
                + hosts.size()
                + " permitted URI name constraints (expected: one, the trust domain)");
      }
    }
    if (fromSan == null) {
      throw new IssuerNotValidException(
          what
              + ": no trust domain (expected: a permitted URI name constraint or a URI SAN spiffe://<td>)");
    }
    return fromSan;
  }

  /** The trust domain it signs for. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The issuer certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The issuer certificate and any intermediates above it, without the root. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The root, when the chain given at creation ended with it. */
  public Optional<X509Certificate> root() {
    return Optional.ofNullable(root);
  }

  /** The issuer key's id ({@code IssuerRecord.key_id}). */
  public KeyId keyId() {
    return keyId;
  }

  /** The issuer certificate's notAfter: no leaf outlives it. */
  public Instant notAfter() {
    return notAfter;
  }

  /** The policy it issues under. */
  public IssuancePolicy policy() {
    return policy;
  }

  /** Names the trust domain, key id and expiry; never the key. */
  @Override
  public String toString() {
    return "IssuingCa{trustDomain="
        + trustDomain
        + ", keyId="
        + keyId
        + ", notAfter="
        + notAfter
        + "}";
  }
}
