package io.raftmesh.ca.keys;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A private key sealed with AES-256-GCM under a {@link KeyEncryptionKey}. The blob layout (version
 * 1), all lengths in bytes:
 *
 * <pre>
 *   offset      size  field
 *   0           4     magic "RMSK"
 *   4           1     format version, 1
 *   5           8     KEK id: which key-encryption key sealed it (see KeyEncryptionKey#id)
 *   13          1     P, length of the purpose (1..64)
 *   14          P     purpose, ASCII (e.g. "issuing-ca")
 *   14+P        1     K, length of the key id (1..128)
 *   15+P        K     key id, ASCII (e.g. the issuer's KeyId)
 *   15+P+K      12    GCM nonce, random
 *   27+P+K      rest  ciphertext of the PKCS#8 DER private key, then the 16-byte GCM tag
 * </pre>
 *
 * <p>The associated data is the whole header, bytes {@code [0, 15+P+K)}: changing the purpose, key
 * id, KEK id or version makes authentication fail, so a blob sealed for one purpose or key can
 * never be unsealed as another.
 */
public final class SealedKey {
  static final byte[] MAGIC = {'R', 'M', 'S', 'K'};
  static final int VERSION = 1;
  static final int KEK_ID_LENGTH = 8;
  static final int NONCE_LENGTH = 12;
  static final int TAG_LENGTH = 16;
  private static final int MAX_PURPOSE = 64;
  private static final int MAX_KEY_ID = 128;

  private final byte[] kekId;
  private final String purpose;
  private final String keyId;
  private final byte[] header;
  private final byte[] nonce;
  private final byte[] ciphertext;

  SealedKey(byte[] kekId, String purpose, String keyId, byte[] nonce, byte[] ciphertext) {
    checkLabel("purpose", purpose, MAX_PURPOSE);
    checkLabel("key id", keyId, MAX_KEY_ID);
    this.kekId = kekId.clone();
    this.purpose = purpose;
    this.keyId = keyId;
    this.header = header(kekId, purpose, keyId);
    this.nonce = nonce.clone();
    this.ciphertext = ciphertext.clone();
  }

  /**
   * Parses a blob without decrypting it, e.g. to show which KEK sealed it.
   *
   * @throws KeySealException naming what is wrong with the layout
   */
  public static SealedKey parse(byte[] blob) {
    requireNonNull(blob, "blob");
    int minimum = MAGIC.length + 1 + KEK_ID_LENGTH + 2 + 2 + NONCE_LENGTH + TAG_LENGTH;
    if (blob.length < minimum) {
      throw new KeySealException(
          "sealed key: " + blob.length + " bytes (expected: at least " + minimum + ", truncated?)");
    }
    if (!Arrays.equals(blob, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new KeySealException("sealed key: bad magic (expected: a blob starting with \"RMSK\")");
    }
    int version = blob[4] & 0xff;
    if (version != VERSION) {
      throw new KeySealException(
          "sealed key: format version " + version + " (expected: " + VERSION + ")");
    }
    int at = 5;
    byte[] kekId = Arrays.copyOfRange(blob, at, at + KEK_ID_LENGTH);
    at += KEK_ID_LENGTH;
    int purposeLength = blob[at++] & 0xff;
    if (at + purposeLength + 1 > blob.length) {
      throw new KeySealException("sealed key: purpose runs past the end (expected: untruncated)");
    }
    String purpose = new String(blob, at, purposeLength, StandardCharsets.US_ASCII);
    at += purposeLength;
    int keyIdLength = blob[at++] & 0xff;
    if (at + keyIdLength + NONCE_LENGTH + TAG_LENGTH > blob.length) {
      throw new KeySealException("sealed key: key id runs past the end (expected: untruncated)");
    }
    String keyId = new String(blob, at, keyIdLength, StandardCharsets.US_ASCII);
    at += keyIdLength;
    byte[] nonce = Arrays.copyOfRange(blob, at, at + NONCE_LENGTH);
    at += NONCE_LENGTH;
    byte[] ciphertext = Arrays.copyOfRange(blob, at, blob.length);
    return new SealedKey(kekId, purpose, keyId, nonce, ciphertext);
  }

  /** The blob, in the layout above. */
  public byte[] encoded() {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(header.length + nonce.length + ciphertext.length);
    out.writeBytes(header);
    out.writeBytes(nonce);
    out.writeBytes(ciphertext);
    return out.toByteArray();
  }

  /** The id of the key-encryption key that sealed it, 16 hex digits. */
  public String kekId() {
    return HexFormat.of().formatHex(kekId);
  }

  /** What the key is for, e.g. {@code issuing-ca}. */
  public String purpose() {
    return purpose;
  }

  /** Which key it is, e.g. the issuer's {@link KeyId}. */
  public String keyId() {
    return keyId;
  }

  byte[] kekIdBytes() {
    return kekId.clone();
  }

  byte[] associatedData() {
    return header.clone();
  }

  byte[] nonce() {
    return nonce.clone();
  }

  byte[] ciphertext() {
    return ciphertext.clone();
  }

  /** Names the KEK, purpose and key id; never the ciphertext. */
  @Override
  public String toString() {
    return "SealedKey{kek=" + kekId() + ", purpose=" + purpose + ", keyId=" + keyId + "}";
  }

  static byte[] header(byte[] kekId, String purpose, String keyId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(MAGIC);
    out.write(VERSION);
    out.writeBytes(kekId);
    byte[] p = purpose.getBytes(StandardCharsets.US_ASCII);
    out.write(p.length);
    out.writeBytes(p);
    byte[] k = keyId.getBytes(StandardCharsets.US_ASCII);
    out.write(k.length);
    out.writeBytes(k);
    return out.toByteArray();
  }

  /** Purposes and key ids are short printable ASCII labels, so the header stays unambiguous. */
  static void checkLabel(String name, String value, int max) {
    requireNonNull(value, name);
    boolean ok = !value.isEmpty() && value.length() <= max;
    for (int i = 0; ok && i < value.length(); i++) {
      char c = value.charAt(i);
      ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == ':'
              || c == '/';
    }
    if (!ok) {
      throw new KeySealException(
          name
              + ": "
              + CaException.quote(value)
              + " (expected: 1-"
              + max
              + " characters of a-z A-Z 0-9 - _ . : /)");
    }
  }
}
