package io.raftmesh.ca.verify;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.pem.Pem;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The roots a trust domain's members trust. Holds one or more CA certificates so that roots can be
 * rotated: during a rotation both the old and the new root are in the bundle. Immutable; to change
 * what a {@link io.raftmesh.ca.tls.MeshTrustManager} trusts, give it a new bundle.
 */
public final class TrustBundle {
  private final TrustDomain trustDomain;
  private final List<X509Certificate> roots;
  private final List<Fingerprint> fingerprints;
  private final Set<TrustAnchor> anchors;

  private TrustBundle(TrustDomain trustDomain, Map<Fingerprint, X509Certificate> roots) {
    this.trustDomain = trustDomain;
    this.roots = List.copyOf(roots.values());
    this.fingerprints = List.copyOf(roots.keySet());
    this.anchors =
        this.roots.stream()
            .map(r -> new TrustAnchor(r, null))
            .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * A bundle of {@code roots} for {@code trustDomain}; duplicates are dropped.
   *
   * @throws CaException when {@code roots} is empty or holds a non-CA certificate
   */
  public static TrustBundle of(TrustDomain trustDomain, List<X509Certificate> roots) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(roots, "roots");
    if (roots.isEmpty()) {
      throw new CaException("trust bundle: no roots (expected: at least one CA certificate)");
    }
    Map<Fingerprint, X509Certificate> unique = new LinkedHashMap<>();
    for (X509Certificate root : roots) {
      requireNonNull(root, "root");
      if (root.getBasicConstraints() < 0) {
        throw new CaException(
            "trust bundle: "
                + CaException.quote(root.getSubjectX500Principal().getName())
                + " is not a CA certificate (expected: roots only)");
      }
      unique.putIfAbsent(Fingerprint.of(root), root);
    }
    return new TrustBundle(trustDomain, unique);
  }

  /**
   * A bundle whose trust domain is read from the roots' URI SAN {@code spiffe://<td>} (raftmesh
   * roots carry one); all roots must agree.
   */
  public static TrustBundle of(List<X509Certificate> roots) {
    requireNonNull(roots, "roots");
    TrustDomain td = null;
    for (X509Certificate root : roots) {
      TrustDomain found;
      try {
        SpiffeId id = SpiffeId.fromCertificate(root);
        found = id.trustDomain();
      } catch (InvalidSpiffeIdException e) {
        throw new CaException("trust bundle: root has no trust domain SAN: " + e.getMessage(), e);
      }
      if (td != null && !td.equals(found)) {
        throw new CaException(
            "trust bundle: roots of trust domains "
                + td
                + " and "
                + found
                + " (expected: one trust domain)");
      }
      td = found;
    }
    if (td == null) {
      throw new CaException("trust bundle: no roots (expected: at least one CA certificate)");
    }
    return of(td, roots);
  }

  /** A bundle from PEM text (one or more {@code CERTIFICATE} blocks). */
  public static TrustBundle fromPem(TrustDomain trustDomain, String pem) {
    return of(trustDomain, Pem.decodeCertificates(pem));
  }

  /** This bundle plus {@code root} (e.g. the next root, during a rotation). */
  public TrustBundle with(X509Certificate root) {
    List<X509Certificate> all = new ArrayList<>(roots);
    all.add(root);
    return of(trustDomain, all);
  }

  /** The trust domain. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The roots, in the order given. */
  public List<X509Certificate> roots() {
    return roots;
  }

  /** The roots' SHA-256 fingerprints, in the same order. */
  public List<Fingerprint> fingerprints() {
    return fingerprints;
  }

  /** Whether a root with {@code fingerprint} is in the bundle. */
  public boolean contains(Fingerprint fingerprint) {
    return fingerprints.contains(fingerprint);
  }

  /** The roots as PEM ({@code trust_bundle_pem}). */
  public String toPem() {
    return Pem.encodeCertificates(roots);
  }

  Set<TrustAnchor> anchors() {
    return anchors;
  }

  @Override
  public String toString() {
    return "TrustBundle{trustDomain=" + trustDomain + ", roots=" + fingerprints + "}";
  }
}
