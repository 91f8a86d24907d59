package io.raftmesh.ca.keys;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A stable id of a public key: the first 16 bytes of the SHA-256 of its DER SubjectPublicKeyInfo,
 * as 32 lower-case hex digits ({@code IssuerRecord.key_id}). Two certificates for the same key have
 * the same id.
 */
public final class KeyId {
  private final String hex;

  private KeyId(String hex) {
    this.hex = hex;
  }

  /** The id of {@code key}. */
  public static KeyId of(PublicKey key) {
    requireNonNull(key, "key");
    byte[] encoded = requireNonNull(key.getEncoded(), "key has no X.509 encoding");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(encoded);
      return new KeyId(HexFormat.of().formatHex(Arrays.copyOf(digest, 16)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** The 32 hex digits. */
  @Override
  public String toString() {
    return hex;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyId && ((KeyId) o).hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return hex.hashCode();
  }
}
