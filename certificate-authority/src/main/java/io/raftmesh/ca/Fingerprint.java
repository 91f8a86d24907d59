package io.raftmesh.ca;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The SHA-256 fingerprint of a certificate's DER encoding: what join tokens carry to pin the root,
 * and what operators compare by eye.
 *
 * <p>The stable printable form ({@link #toString()}) is 64 lower-case hex digits, e.g. {@code
 * 3f0c...9a}. {@link #toColonHex()} gives the form {@code openssl x509 -noout -fingerprint -sha256}
 * prints. {@link #parse(String)} accepts both, in either case.
 */
public final class Fingerprint {
  private static final HexFormat HEX = HexFormat.of();
  private static final int LENGTH = 32;

  private final byte[] sha256;

  private Fingerprint(byte[] sha256) {
    this.sha256 = sha256;
  }

  /** The fingerprint of {@code certificate}. */
  public static Fingerprint of(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    try {
      return new Fingerprint(sha256(certificate.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new CaException("certificate: cannot be encoded (expected: a DER certificate)", e);
    }
  }

  /** A fingerprint from its 32 raw bytes. */
  public static Fingerprint ofBytes(byte[] sha256) {
    requireNonNull(sha256, "sha256");
    if (sha256.length != LENGTH) {
      throw new CaException(
          "fingerprint: " + sha256.length + " bytes (expected: 32 bytes of SHA-256)");
    }
    return new Fingerprint(sha256.clone());
  }

  /**
   * Parses 64 hex digits, optionally separated by colons ({@code AB:CD:...}), in either case.
   *
   * @throws CaException naming what was wrong with {@code text}
   */
  public static Fingerprint parse(String text) {
    requireNonNull(text, "text");
    String hex = text.indexOf(':') >= 0 ? colonFree(text) : text;
    if (hex.length() != 2 * LENGTH || !isHex(hex)) {
      throw new CaException(
          "fingerprint: "
              + CaException.quote(text)
              + " (expected: 64 hex digits of SHA-256, optionally colon-separated)");
    }
    return new Fingerprint(HEX.parseHex(hex.toLowerCase(Locale.ROOT)));
  }

  /** Whether {@code certificate} has this fingerprint. */
  public boolean matches(X509Certificate certificate) {
    return equals(of(certificate));
  }

  /** The 32 bytes of the SHA-256 digest (a copy). */
  public byte[] bytes() {
    return sha256.clone();
  }

  /** Upper-case hex bytes separated by colons, as {@code openssl x509 -fingerprint} prints. */
  public String toColonHex() {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256);
  }

  /** The stable printable form: 64 lower-case hex digits. */
  @Override
  public String toString() {
    return HEX.formatHex(sha256);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprint && MessageDigest.isEqual(sha256, ((Fingerprint) o).sha256);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sha256);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static String colonFree(String text) {
    // Exactly one colon between each pair of hex digits, nothing else.
    if (text.length() != 3 * LENGTH - 1) {
      return text;
    }
    StringBuilder out = new StringBuilder(2 * LENGTH);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (i % 3 == 2) {
        if (c != ':') {
          return text;
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      // ASCII only: Character.digit would also accept other scripts' digits.
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }
}
