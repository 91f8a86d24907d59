package io.raftmesh.ca.issue;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.issue.RejectedRequestException.Reason;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * A certificate serial number: positive and at most 20 bytes (RFC 5280, 4.1.2.2). Random ones carry
 * 128 bits of entropy, so they are unique without coordination; the control server still records
 * each one through Raft.
 */
public final class SerialNumber implements Comparable<SerialNumber> {
  private final BigInteger value;

  private SerialNumber(BigInteger value) {
    this.value = value;
  }

  /** A uniformly random serial in [1, 2^128). */
  public static SerialNumber random(SecureRandom random) {
    requireNonNull(random, "random");
    while (true) {
      BigInteger candidate = new BigInteger(128, random);
      if (candidate.signum() > 0) {
        return new SerialNumber(candidate);
      }
    }
  }

  /**
   * A given serial.
   *
   * @throws RejectedRequestException when not positive or longer than 20 bytes
   */
  public static SerialNumber of(BigInteger value) {
    requireNonNull(value, "value");
    // 20 bytes of DER INTEGER content: 159 bits plus the sign bit.
    if (value.signum() <= 0 || value.bitLength() > 159) {
      throw new RejectedRequestException(
          Reason.BAD_SERIAL,
          "serial: " + value.toString(16) + " (expected: positive, at most 20 bytes)");
    }
    return new SerialNumber(value);
  }

  /**
   * Parses the lower-case hex form {@link #toString()} gives.
   *
   * @throws RejectedRequestException when {@code hex} is not such a serial
   */
  public static SerialNumber parseHex(String hex) {
    requireNonNull(hex, "hex");
    if (hex.isEmpty()
        || hex.length() > 40
        || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new RejectedRequestException(
          Reason.BAD_SERIAL,
          "serial: "
              + io.raftmesh.ca.CaException.quote(hex)
              + " (expected: 1-40 lower-case hex digits)");
    }
    return of(new BigInteger(hex, 16));
  }

  /** The value. */
  public BigInteger value() {
    return value;
  }

  /** Lower-case hex without leading zeros ({@code CertificateRecord.serial}). */
  @Override
  public String toString() {
    return value.toString(16);
  }

  @Override
  public int compareTo(SerialNumber o) {
    return value.compareTo(o.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SerialNumber && ((SerialNumber) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
