package io.raftmesh.ca.verify;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;

/** A certificate chain that did not verify; {@link #failure()} says which check failed. */
public final class ChainVerificationException extends CaException {
  private static final long serialVersionUID = 1L;

  /** Which check failed; a bounded label for metrics and logs. */
  public enum Failure {
    /** No certificates were presented. */
    EMPTY_CHAIN,
    /** The chain does not end at a root of the trust bundle. */
    UNTRUSTED_ROOT,
    /** The presented chain has no root with the pinned fingerprint. */
    ROOT_NOT_PINNED,
    /** A certificate's notAfter has passed. */
    EXPIRED,
    /** A certificate's notBefore is still ahead (or a clock is wrong). */
    NOT_YET_VALID,
    /** A signature does not verify, or the certificates do not chain by name and key. */
    BAD_SIGNATURE,
    /** A certificate above the leaf is not a CA, or a CA's path length is exceeded. */
    NOT_A_CA,
    /** A key usage or extended key usage does not allow this use. */
    KEY_USAGE,
    /** A name is outside an issuer's name constraints. */
    NAME_CONSTRAINTS,
    /** The leaf is a CA certificate (an X509-SVID leaf must not be). */
    LEAF_IS_CA,
    /** The leaf has no URI SAN, several, or one that is not a valid SPIFFE ID for a workload. */
    BAD_SPIFFE_ID,
    /** The leaf's SPIFFE ID is in another trust domain than the bundle's. */
    WRONG_TRUST_DOMAIN,
    /** The chain verified but the peer's SPIFFE ID is not one this connection accepts. */
    PEER_NOT_AUTHORIZED,
    /** Anything else the PKIX validator refused (e.g. an unknown critical extension). */
    OTHER
  }

  private final Failure failure;

  /** An error for {@code failure}; the message names the certificate and the constraint. */
  public ChainVerificationException(Failure failure, String message) {
    super(message);
    this.failure = requireNonNull(failure, "failure");
  }

  /** An error for {@code failure}, with its cause. */
  public ChainVerificationException(Failure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = requireNonNull(failure, "failure");
  }

  /** Which check failed. */
  public Failure failure() {
    return failure;
  }
}
