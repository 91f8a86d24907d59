package io.raftmesh.ca.verify;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.verify.ChainVerificationException.Failure;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;

/**
 * Verifies a peer's certificate chain as the X509-SVID spec says: RFC 5280 path validation by the
 * JDK's PKIX validator (signatures, validity at the injected clock's time, CA bits, path length,
 * key usage, name constraints) against a {@link TrustBundle}, then the SPIFFE leaf rules (not a CA,
 * no keyCertSign/cRLSign, exactly one URI SAN that is a SPIFFE ID with a path, in the bundle's
 * trust domain) and the extended key usage the peer's role needs. Revocation is not checked:
 * certificates are short-lived. Thread-safe.
 */
public final class ChainVerifier {
  /** Which side of a TLS connection the chain's owner is: decides the EKU it must carry. */
  public enum PeerRole {
    /** A TLS client: needs EKU clientAuth (when the EKU extension is present). */
    CLIENT,
    /** A TLS server: needs EKU serverAuth (when the EKU extension is present). */
    SERVER,
    /** No EKU requirement. */
    ANY
  }

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";

  private final Supplier<TrustBundle> bundle;
  private final Clock clock;

  private ChainVerifier(Supplier<TrustBundle> bundle, Clock clock) {
    this.bundle = bundle;
    this.clock = clock;
  }

  /** A verifier against a fixed bundle. */
  public static ChainVerifier of(TrustBundle bundle, Clock clock) {
    requireNonNull(bundle, "bundle");
    return of(() -> bundle, clock);
  }

  /** A verifier that reads the current bundle from {@code bundle} at each verification. */
  public static ChainVerifier of(Supplier<TrustBundle> bundle, Clock clock) {
    return new ChainVerifier(requireNonNull(bundle, "bundle"), requireNonNull(clock, "clock"));
  }

  /**
   * Verifies {@code chain} (leaf first, intermediates next; a root at the end is allowed).
   *
   * @throws ChainVerificationException naming the failed check and the certificate
   */
  public VerifiedChain verify(List<X509Certificate> chain, PeerRole role) {
    requireNonNull(chain, "chain");
    requireNonNull(role, "role");
    return verify(chain, role, bundle.get(), clock.instant());
  }

  /**
   * Verifies a chain that a peer presented together with its root, accepting it only when that root
   * has the {@code pinned} fingerprint: how an agent that holds nothing but a join token checks the
   * server it enrolls with.
   *
   * @throws ChainVerificationException with {@link Failure#ROOT_NOT_PINNED} when no certificate of
   *     the chain has the pinned fingerprint, or another failure from {@link #verify}
   */
  public static VerifiedChain verifyPinned(
      List<X509Certificate> presented, Fingerprint pinned, PeerRole role, Clock clock) {
    requireNonNull(presented, "presented");
    requireNonNull(pinned, "pinned");
    for (X509Certificate certificate : presented) {
      if (pinned.matches(certificate)) {
        TrustBundle pinnedBundle;
        try {
          pinnedBundle = TrustBundle.of(List.of(certificate));
        } catch (CaException e) {
          throw new ChainVerificationException(
              Failure.ROOT_NOT_PINNED, "pinned root: " + e.getMessage(), e);
        }
        return verify(presented, role, pinnedBundle, clock.instant());
      }
    }
    X509Certificate last = presented.isEmpty() ? null : presented.get(presented.size() - 1);
    throw new ChainVerificationException(
        Failure.ROOT_NOT_PINNED,
        "presented chain: no certificate with fingerprint "
            + pinned
            + (last == null
                ? ""
                : "; it ends with " + describe(last) + " fingerprint " + Fingerprint.of(last))
            + " (expected: the root named in the join token)");
  }

  private static VerifiedChain verify(
      List<X509Certificate> chain, PeerRole role, TrustBundle bundle, Instant now) {
    if (chain.isEmpty()) {
      throw new ChainVerificationException(
          Failure.EMPTY_CHAIN, "chain: empty (expected: leaf first)");
    }
    X509Certificate leaf = chain.get(0);
    SpiffeId id = checkLeaf(leaf, role, bundle);
    // Peers may append the root; PKIX wants the path without the trust anchor.
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate certificate : chain) {
      if (!path.isEmpty() && bundle.contains(Fingerprint.of(certificate))) {
        break;
      }
      path.add(certificate);
    }
    for (int i = 0; i < path.size(); i++) {
      checkTime(i == 0 ? "leaf" : "intermediate", path.get(i), now);
    }
    X509Certificate root;
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      CertPath certPath = factory.generateCertPath(path);
      PKIXParameters parameters = new PKIXParameters(bundle.anchors());
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(now));
      PKIXCertPathValidatorResult result =
          (PKIXCertPathValidatorResult)
              CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
      root = result.getTrustAnchor().getTrustedCert();
    } catch (CertPathValidatorException e) {
      throw translate(e, path);
    } catch (GeneralSecurityException e) {
      throw new ChainVerificationException(
          Failure.OTHER, "chain: cannot be validated: " + e.getMessage(), e);
    }
    checkTime("root", root, now);
    return new VerifiedChain(id, leaf, path, root);
  }

  private static SpiffeId checkLeaf(X509Certificate leaf, PeerRole role, TrustBundle bundle) {
    SpiffeId id;
    try {
      id = SpiffeId.fromCertificate(leaf);
    } catch (InvalidSpiffeIdException e) {
      throw new ChainVerificationException(Failure.BAD_SPIFFE_ID, "leaf: " + e.getMessage(), e);
    }
    if (id.isTrustDomainId()) {
      throw new ChainVerificationException(
          Failure.BAD_SPIFFE_ID,
          "leaf "
              + describe(leaf)
              + ": SPIFFE ID "
              + id
              + " has no path (expected: a workload ID)");
    }
    if (!id.trustDomain().equals(bundle.trustDomain())) {
      throw new ChainVerificationException(
          Failure.WRONG_TRUST_DOMAIN,
          "leaf "
              + describe(leaf)
              + ": trust domain "
              + id.trustDomain()
              + " (expected: "
              + bundle.trustDomain()
              + ")");
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new ChainVerificationException(
          Failure.LEAF_IS_CA,
          "leaf " + describe(leaf) + ": is a CA certificate (expected: CA:false)");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null
        && (!usage[0] || (usage.length > 5 && usage[5]) || (usage.length > 6 && usage[6]))) {
      throw new ChainVerificationException(
          Failure.KEY_USAGE,
          "leaf "
              + describe(leaf)
              + ": key usage (expected: digitalSignature, no keyCertSign or cRLSign)");
    }
    if (role != PeerRole.ANY) {
      List<String> eku;
      try {
        eku = leaf.getExtendedKeyUsage();
      } catch (CertificateParsingException e) {
        throw new ChainVerificationException(
            Failure.KEY_USAGE, "leaf " + describe(leaf) + ": malformed EKU", e);
      }
      String needed = role == PeerRole.CLIENT ? CLIENT_AUTH : SERVER_AUTH;
      if (eku != null && !eku.contains(needed) && !eku.contains(ANY_EKU)) {
        throw new ChainVerificationException(
            Failure.KEY_USAGE,
            "leaf "
                + describe(leaf)
                + ": extended key usage "
                + eku
                + " (expected: "
                + (role == PeerRole.CLIENT ? "clientAuth" : "serverAuth")
                + " for a TLS "
                + role.name().toLowerCase(java.util.Locale.ROOT)
                + ")");
      }
    }
    return id;
  }

  private static void checkTime(String what, X509Certificate certificate, Instant now) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      throw new ChainVerificationException(
          Failure.EXPIRED,
          what + " " + describe(certificate) + ": expired at " + notAfter + " (now " + now + ")");
    }
    if (now.isBefore(notBefore)) {
      throw new ChainVerificationException(
          Failure.NOT_YET_VALID,
          what
              + " "
              + describe(certificate)
              + ": not valid before "
              + notBefore
              + " (now "
              + now
              + "; clock skew?)");
    }
  }

  private static ChainVerificationException translate(
      CertPathValidatorException e, List<X509Certificate> path) {
    int index = e.getIndex();
    String where =
        index >= 0 && index < path.size()
            ? (index == 0 ? "leaf " : "intermediate ") + describe(path.get(index))
            : "chain ending " + describe(path.get(path.size() - 1));
    CertPathValidatorException.Reason reason = e.getReason();
    Failure failure;
    String expected;
    if (reason == PKIXReason.NO_TRUST_ANCHOR) {
      failure = Failure.UNTRUSTED_ROOT;
      expected = "a chain ending at a root of the trust bundle";
    } else if (reason == BasicReason.EXPIRED) {
      failure = Failure.EXPIRED;
      expected = "valid now";
    } else if (reason == BasicReason.NOT_YET_VALID) {
      failure = Failure.NOT_YET_VALID;
      expected = "valid now";
    } else if (reason == BasicReason.INVALID_SIGNATURE || reason == PKIXReason.NAME_CHAINING) {
      failure = Failure.BAD_SIGNATURE;
      expected = "each certificate signed by the next, in order";
    } else if (reason == PKIXReason.NOT_CA_CERT || reason == PKIXReason.PATH_TOO_LONG) {
      failure = Failure.NOT_A_CA;
      expected = "issuers that are CAs within their path length";
    } else if (reason == PKIXReason.INVALID_KEY_USAGE) {
      failure = Failure.KEY_USAGE;
      expected = "issuers with keyCertSign";
    } else if (reason == PKIXReason.INVALID_NAME) {
      failure = Failure.NAME_CONSTRAINTS;
      expected = "names within the issuers' name constraints";
    } else {
      failure = Failure.OTHER;
      expected = "a valid RFC 5280 path";
    }
    return new ChainVerificationException(
        failure, where + ": " + e.getMessage() + " (expected: " + expected + ")", e);
  }

  static String describe(X509Certificate certificate) {
    return CaException.quote(certificate.getSubjectX500Principal().getName())
        + " serial "
        + certificate.getSerialNumber().toString(16);
  }
}
