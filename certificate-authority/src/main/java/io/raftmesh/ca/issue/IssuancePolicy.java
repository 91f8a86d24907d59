package io.raftmesh.ca.issue;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How an {@link IssuingCa} bounds the leaves it signs.
 *
 * @param defaultLifetime lifetime of a leaf whose request names none
 * @param maxLifetime the longest lifetime a request may ask for; longer is refused
 * @param backdate how far before "now" notBefore is set, so peers whose clocks lag a little still
 *     accept a fresh certificate (0 to 1 hour)
 * @param issuerExpiry what to do when a leaf would outlive its issuer
 */
public record IssuancePolicy(
    Duration defaultLifetime, Duration maxLifetime, Duration backdate, IssuerExpiry issuerExpiry) {

  /** What to do when a requested lifetime reaches past the issuer's notAfter. */
  public enum IssuerExpiry {
    /** Refuse the request ({@link RejectedRequestException.Reason#OUTLIVES_ISSUER}). */
    REJECT,
    /** Issue with notAfter set to the issuer's notAfter. */
    TRUNCATE
  }

  /** Workload default (24 h), at most 90 days, 5 minutes backdating, refuse to outlive. */
  public static final IssuancePolicy DEFAULT =
      new IssuancePolicy(
          Duration.ofHours(24), Duration.ofDays(90), Duration.ofMinutes(5), IssuerExpiry.REJECT);

  /** Checks every bound. */
  public IssuancePolicy {
    requireNonNull(defaultLifetime, "defaultLifetime");
    requireNonNull(maxLifetime, "maxLifetime");
    requireNonNull(backdate, "backdate");
    requireNonNull(issuerExpiry, "issuerExpiry");
    if (maxLifetime.isNegative() || maxLifetime.isZero()) {
      throw new IllegalArgumentException("maxLifetime: " + maxLifetime + " (expected: > 0)");
    }
    if (defaultLifetime.isNegative()
        || defaultLifetime.isZero()
        || defaultLifetime.compareTo(maxLifetime) > 0) {
      throw new IllegalArgumentException(
          "defaultLifetime: "
              + defaultLifetime
              + " (expected: > 0 and <= maxLifetime "
              + maxLifetime
              + ")");
    }
    if (backdate.isNegative() || backdate.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("backdate: " + backdate + " (expected: between 0 and 1h)");
    }
  }

  /** This policy with another default lifetime. */
  public IssuancePolicy withDefaultLifetime(Duration lifetime) {
    return new IssuancePolicy(lifetime, maxLifetime, backdate, issuerExpiry);
  }

  /** This policy with another maximum lifetime. */
  public IssuancePolicy withMaxLifetime(Duration lifetime) {
    return new IssuancePolicy(defaultLifetime, lifetime, backdate, issuerExpiry);
  }

  /** This policy with another backdate. */
  public IssuancePolicy withBackdate(Duration backdate) {
    return new IssuancePolicy(defaultLifetime, maxLifetime, backdate, issuerExpiry);
  }

  /** This policy with another issuer-expiry rule. */
  public IssuancePolicy withIssuerExpiry(IssuerExpiry issuerExpiry) {
    return new IssuancePolicy(defaultLifetime, maxLifetime, backdate, issuerExpiry);
  }
}
