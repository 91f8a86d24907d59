package io.raftmesh.ca.token;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.Fingerprint;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A join token: {@code rmt1.<root fingerprint>.<token id>.<secret>}.
 *
 * <ul>
 *   <li>{@code rmt1}: format and version.
 *   <li>root fingerprint: 64 lower-case hex digits, the SHA-256 of the root certificate, so the
 *       agent can authenticate the server before it trusts anything else.
 *   <li>token id: 16 lower-case hex digits (64 random bits), public, the key of the stored record.
 *   <li>secret: 43 base64url characters without padding (256 random bits).
 * </ul>
 *
 * <p>The store keeps only {@link #secretSha256()}; {@link #matches} compares in constant time. A
 * 256-bit random secret needs no slow hash: guessing it is as hard as guessing the key of AES-256.
 * {@code toString} never shows the secret, and neither do parse errors.
 */
public final class JoinToken {
  /** The format prefix. */
  public static final String PREFIX = "rmt1";

  private static final int ID_BYTES = 8;
  private static final int SECRET_BYTES = 32;
  private static final int SECRET_CHARS = 43;

  private final Fingerprint rootFingerprint;
  private final String id;
  private final byte[] secret;

  private JoinToken(Fingerprint rootFingerprint, String id, byte[] secret) {
    this.rootFingerprint = rootFingerprint;
    this.id = id;
    this.secret = secret;
  }

  /** A new token for the root with {@code rootFingerprint}. */
  public static JoinToken generate(Fingerprint rootFingerprint, SecureRandom random) {
    requireNonNull(rootFingerprint, "rootFingerprint");
    requireNonNull(random, "random");
    byte[] id = new byte[ID_BYTES];
    random.nextBytes(id);
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    return new JoinToken(rootFingerprint, HexFormat.of().formatHex(id), secret);
  }

  /**
   * Parses a token.
   *
   * @throws InvalidJoinTokenException naming the malformed part (never echoing the secret)
   */
  public static JoinToken parse(String token) {
    requireNonNull(token, "token");
    String trimmed = token.strip();
    String[] parts = trimmed.split("\\.", -1);
    if (parts.length != 4) {
      throw new InvalidJoinTokenException(
          "join token: "
              + parts.length
              + " dot-separated parts (expected: 4, rmt1.<root fingerprint>.<token id>.<secret>)");
    }
    if (!parts[0].equals(PREFIX)) {
      throw new InvalidJoinTokenException(
          "join token: prefix " + CaException.quote(parts[0]) + " (expected: " + PREFIX + ")");
    }
    if (parts[1].length() != 64 || !lowerHex(parts[1])) {
      throw new InvalidJoinTokenException(
          "join token: root fingerprint "
              + CaException.quote(parts[1])
              + " (expected: 64 lower-case hex digits)");
    }
    if (parts[2].length() != 2 * ID_BYTES || !lowerHex(parts[2])) {
      throw new InvalidJoinTokenException(
          "join token: token id "
              + CaException.quote(parts[2])
              + " (expected: 16 lower-case hex digits)");
    }
    byte[] secret = null;
    if (parts[3].length() == SECRET_CHARS) {
      try {
        secret = Base64.getUrlDecoder().decode(parts[3]);
      } catch (IllegalArgumentException e) {
        secret = null;
      }
    }
    // Re-encoding must give the same text: rejects non-canonical trailing bits.
    if (secret == null
        || secret.length != SECRET_BYTES
        || !Base64.getUrlEncoder().withoutPadding().encodeToString(secret).equals(parts[3])) {
      throw new InvalidJoinTokenException(
          "join token: malformed secret of "
              + parts[3].length()
              + " characters (expected: 43 base64url characters; was the token cut short?)");
    }
    return new JoinToken(Fingerprint.parse(parts[1]), parts[2], secret);
  }

  /** The full token, secret included: show it once, to the operator who created it. */
  public String encoded() {
    return PREFIX
        + "."
        + rootFingerprint
        + "."
        + id
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** The root the agent must find at the end of the server's chain. */
  public Fingerprint rootFingerprint() {
    return rootFingerprint;
  }

  /** The public token id. */
  public String id() {
    return id;
  }

  /**
   * SHA-256 of the 32 secret bytes: what the store keeps ({@code JoinTokenRecord.secret_sha256}).
   */
  public byte[] secretSha256() {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** Whether this token's secret hashes to {@code storedSha256}; constant-time. */
  public boolean matches(byte[] storedSha256) {
    requireNonNull(storedSha256, "storedSha256");
    return MessageDigest.isEqual(secretSha256(), storedSha256);
  }

  /** Id and root only; never the secret. */
  @Override
  public String toString() {
    return "JoinToken{id=" + id + ", root=" + rootFingerprint + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JoinToken
        && ((JoinToken) o).id.equals(id)
        && MessageDigest.isEqual(((JoinToken) o).secret, secret)
        && ((JoinToken) o).rootFingerprint.equals(rootFingerprint);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + Arrays.hashCode(rootFingerprint.bytes());
  }

  private static boolean lowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
