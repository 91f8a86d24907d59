package io.raftmesh.ca.issue;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;

/**
 * A certificate request the CA refuses: a bad CSR or a request outside policy. Nothing was issued.
 * A server maps this to {@code INVALID_ARGUMENT}; {@link #reason()} is a bounded label for metrics
 * and logs.
 */
public final class RejectedRequestException extends CaException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused. */
  public enum Reason {
    /** The CSR is larger than {@link Csr#MAX_BYTES}. */
    CSR_TOO_LARGE,
    /** The CSR is not a well-formed PKCS#10 request (or not PEM of one). */
    CSR_MALFORMED,
    /** The CSR's signature algorithm is not SHA-256/384/512 with ECDSA or RSA. */
    CSR_SIGNATURE_ALGORITHM,
    /** The CSR's signature does not verify with its own public key. */
    CSR_BAD_SIGNATURE,
    /** The key is not EC P-256, EC P-384 or RSA with 2,048 to 8,192 bits. */
    KEY_NOT_ALLOWED,
    /** The CSR asks for a CA certificate ({@code cA=true} or {@code keyCertSign}). */
    CA_REQUESTED,
    /** The SPIFFE ID is not one this issuer may sign (other trust domain, empty path). */
    SPIFFE_ID_NOT_ALLOWED,
    /** The requested lifetime is not positive, or above the policy's maximum. */
    LIFETIME_NOT_ALLOWED,
    /** The certificate would outlive its issuer (and the policy says to refuse). */
    OUTLIVES_ISSUER,
    /** A DNS name or IP address is malformed, or there are too many. */
    BAD_SUBJECT_ALT_NAME,
    /** The given serial number is not positive or longer than 20 bytes. */
    BAD_SERIAL
  }

  private final Reason reason;

  /** A refusal for {@code reason}; the message names the value and the constraint. */
  public RejectedRequestException(Reason reason, String message) {
    super(message);
    this.reason = requireNonNull(reason, "reason");
  }

  /** A refusal for {@code reason}, with its cause. */
  public RejectedRequestException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = requireNonNull(reason, "reason");
  }

  /** Why the request was refused. */
  public Reason reason() {
    return reason;
  }
}
