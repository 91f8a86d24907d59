package io.raftmesh.ca.tls;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.verify.ChainVerificationException;
import io.raftmesh.ca.verify.ChainVerificationException.Failure;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.ca.verify.ChainVerifier.PeerRole;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.ca.verify.VerifiedChain;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSSE trust manager for mesh mutual TLS: a peer is trusted when its chain verifies against the
 * current {@link TrustBundle} ({@link ChainVerifier}: RFC 5280 plus the X509-SVID leaf rules and
 * the EKU for its role) and its SPIFFE ID passes the authorization predicate. Host names are not
 * checked: in the mesh the SPIFFE ID is the identity.
 *
 * <p>The bundle can be replaced at any time ({@link #setTrustBundle}) for root rotation; a
 * handshake uses the bundle current when its check runs. In pinned mode ({@link #pinned}) there is
 * no bundle: the peer must present its root, and that root must have the pinned fingerprint.
 * Thread-safe.
 */
public final class MeshTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(MeshTrustManager.class);
  private static final X509Certificate[] NONE = new X509Certificate[0];

  private volatile @Nullable TrustBundle bundle;
  private final @Nullable Fingerprint pinned;
  private final Predicate<SpiffeId> authorized;
  private final Clock clock;
  private final ChainVerifier verifier;

  private MeshTrustManager(
      @Nullable TrustBundle bundle,
      @Nullable Fingerprint pinned,
      Predicate<SpiffeId> authorized,
      Clock clock) {
    this.bundle = bundle;
    this.pinned = pinned;
    this.authorized = authorized;
    this.clock = clock;
    this.verifier = ChainVerifier.of(this::trustBundle, clock);
  }

  /**
   * Trusts peers whose chains end at a root of {@code bundle} and whose SPIFFE ID satisfies {@code
   * authorized} (e.g. {@code id -> true}, or only control servers).
   */
  public static MeshTrustManager of(
      TrustBundle bundle, Predicate<SpiffeId> authorized, Clock clock) {
    return new MeshTrustManager(
        requireNonNull(bundle, "bundle"),
        null,
        requireNonNull(authorized, "authorized"),
        requireNonNull(clock, "clock"));
  }

  /**
   * Trusts a peer that presents its root with the {@code root} fingerprint (from a join token), and
   * whose chain verifies up to it. For enrollment, before the agent has a bundle.
   */
  public static MeshTrustManager pinned(
      Fingerprint root, Predicate<SpiffeId> authorized, Clock clock) {
    return new MeshTrustManager(
        null,
        requireNonNull(root, "root"),
        requireNonNull(authorized, "authorized"),
        requireNonNull(clock, "clock"));
  }

  /** Replaces the trust bundle; later handshakes use the new one. Ends pinned mode. */
  public void setTrustBundle(TrustBundle newBundle) {
    bundle = requireNonNull(newBundle, "newBundle");
  }

  /**
   * The current bundle.
   *
   * @throws IllegalStateException in pinned mode before any bundle was set
   */
  public TrustBundle trustBundle() {
    TrustBundle current = bundle;
    if (current == null) {
      throw new IllegalStateException("pinned mode: no trust bundle yet");
    }
    return current;
  }

  /**
   * The SPIFFE ID of the peer of an established session (its leaf's one URI SAN).
   *
   * @throws InvalidSpiffeIdException when the peer sent no certificate or its leaf has no valid
   *     SPIFFE ID
   */
  public static SpiffeId peerSpiffeId(SSLSession session) {
    requireNonNull(session, "session");
    Certificate[] peer;
    try {
      peer = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      throw new InvalidSpiffeIdException(
          "tls session: peer not authenticated (expected: a client certificate)");
    }
    if (peer.length == 0 || !(peer[0] instanceof X509Certificate)) {
      throw new InvalidSpiffeIdException(
          "tls session: no X.509 peer certificate (expected: an X509-SVID)");
    }
    return SpiffeId.fromCertificate((X509Certificate) peer[0]);
  }

  /**
   * Verifies a chain as this trust manager would for a peer in {@code role}, for callers outside a
   * TLS handshake.
   *
   * @throws ChainVerificationException naming the failed check
   */
  public VerifiedChain verify(List<X509Certificate> chain, PeerRole role) {
    VerifiedChain verified;
    if (bundle == null && pinned != null) {
      verified = ChainVerifier.verifyPinned(chain, pinned, role, clock);
    } else {
      verified = verifier.verify(chain, role);
    }
    if (!authorized.test(verified.spiffeId())) {
      throw new ChainVerificationException(
          Failure.PEER_NOT_AUTHORIZED,
          "peer "
              + CaException.quote(verified.spiffeId().toString())
              + ": not authorized (expected: an identity this endpoint accepts)");
    }
    return verified;
  }

  private void check(X509Certificate @Nullable [] chain, PeerRole role)
      throws CertificateException {
    if (chain == null) {
      throw new CertificateException("peer sent no certificate (expected: an X509-SVID chain)");
    }
    try {
      VerifiedChain verified = verify(List.of(chain), role);
      log.debug("peer verified: role={} spiffe_id={}", role, verified.spiffeId());
    } catch (ChainVerificationException e) {
      log.debug("peer rejected: role={} failure={} reason={}", role, e.failure(), e.getMessage());
      throw new CertificateException(e.getMessage(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, PeerRole.CLIENT);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, PeerRole.SERVER);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, PeerRole.CLIENT);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, PeerRole.SERVER);
  }

  // JSSE's interface names java.net.Socket; these overloads only delegate, nothing here opens one.
  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
      throws CertificateException {
    check(chain, PeerRole.CLIENT);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
      throws CertificateException {
    check(chain, PeerRole.SERVER);
  }

  /** The bundle's roots (sent as certificate_authorities); none in pinned mode. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    TrustBundle current = bundle;
    return current == null ? NONE : current.roots().toArray(NONE);
  }
}
