package io.raftmesh.ca.keys;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's key-encryption key (KEK): 32 random bytes that every control server is given at
 * start, under which the issuing CA's private key is sealed before it enters the replicated store.
 *
 * <p>The AES-256-GCM key and the public {@link #id() id} are both derived from the 32 bytes with
 * HKDF-SHA256 under different labels, so the id reveals nothing about the encryption key.
 *
 * <p>File format: either exactly 32 raw bytes, or those bytes in standard base64 (44 characters,
 * surrounding whitespace ignored). {@link #write(Path)} writes the base64 form with mode 0600. The
 * key never appears in {@code toString} or in error messages.
 */
public final class KeyEncryptionKey {
  private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKey.class);

  /** The key length, in bytes. */
  public static final int LENGTH = 32;

  private static final byte[] AES_LABEL =
      "raftmesh/kek/aes-256-gcm/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ID_LABEL = "raftmesh/kek/id/v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final SecretKeySpec aesKey;
  private final byte[] id;

  private KeyEncryptionKey(byte[] key) {
    this.key = key.clone();
    byte[] aes = hkdf(key, AES_LABEL, 32);
    this.aesKey = new SecretKeySpec(aes, "AES");
    Arrays.fill(aes, (byte) 0);
    this.id = hkdf(key, ID_LABEL, SealedKey.KEK_ID_LENGTH);
  }

  /** A fresh random key. */
  public static KeyEncryptionKey generate(SecureRandom random) {
    requireNonNull(random, "random");
    byte[] bytes = new byte[LENGTH];
    random.nextBytes(bytes);
    try {
      return new KeyEncryptionKey(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** A key from its 32 bytes (copied). */
  public static KeyEncryptionKey of(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new KeySealException(
          "key-encryption key: " + bytes.length + " bytes (expected: exactly " + LENGTH + ")");
    }
    return new KeyEncryptionKey(bytes);
  }

  /**
   * Reads a KEK file: 32 raw bytes, or their base64 form. Warns when the file is readable by group
   * or others.
   *
   * @throws KeySealException when the file cannot be read or has any other content
   */
  public static KeyEncryptionKey read(Path path) {
    requireNonNull(path, "path");
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new KeySealException("key-encryption key file " + path + ": cannot be read: " + e, e);
    }
    warnIfShared(path);
    try {
      if (content.length == LENGTH) {
        return new KeyEncryptionKey(content);
      }
      String text = new String(content, StandardCharsets.US_ASCII).strip();
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        decoded = new byte[0];
      }
      try {
        if (decoded.length != LENGTH) {
          throw new KeySealException(
              "key-encryption key file "
                  + path
                  + ": "
                  + content.length
                  + " bytes (expected: 32 raw bytes or their 44-character base64 form)");
        }
        return new KeyEncryptionKey(decoded);
      } finally {
        Arrays.fill(decoded, (byte) 0);
      }
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /**
   * Writes this key to a new file, base64 and a newline, mode 0600.
   *
   * @throws UncheckedIOException when the file exists (a KEK is never overwritten) or cannot be
   *     written
   */
  public void write(Path path) {
    byte[] text =
        (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      KeyFiles.writeNewSecret(path, text);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  /** A public id of this key, 16 hex digits: recorded in every blob it seals. */
  public String id() {
    return HexFormat.of().formatHex(id);
  }

  /**
   * Seals {@code privateKey} (as PKCS#8) for {@code purpose} and {@code keyId}; both are bound into
   * the blob as associated data.
   *
   * @param purpose what the key is for, e.g. {@code issuing-ca} (1-64 of a-z A-Z 0-9 - _ . : /)
   * @param keyId which key it is, e.g. {@code KeyId.of(publicKey).toString()} (1-128 of the same)
   */
  public SealedKey seal(PrivateKey privateKey, String purpose, String keyId, SecureRandom random) {
    requireNonNull(privateKey, "privateKey");
    requireNonNull(random, "random");
    byte[] pkcs8 = privateKey.getEncoded();
    if (pkcs8 == null || !"PKCS#8".equals(privateKey.getFormat())) {
      throw new KeySealException(
          "private key: format " + privateKey.getFormat() + " (expected: PKCS#8-encodable)");
    }
    byte[] nonce = new byte[SealedKey.NONCE_LENGTH];
    random.nextBytes(nonce);
    SealedKey.checkLabel("purpose", purpose, 64);
    SealedKey.checkLabel("key id", keyId, 128);
    byte[] header = SealedKey.header(id, purpose, keyId);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(SealedKey.TAG_LENGTH * 8, nonce));
      cipher.updateAAD(header);
      return new SealedKey(id, purpose, keyId, nonce, cipher.doFinal(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is required of every Java platform", e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /**
   * Unseals a blob, checking that it was sealed under this KEK for {@code purpose} and {@code
   * keyId}.
   *
   * @throws KeySealException for a blob sealed under another KEK, for another purpose or key id, or
   *     tampered with
   */
  public PrivateKey unseal(SealedKey sealed, String purpose, String keyId) {
    requireNonNull(sealed, "sealed");
    requireNonNull(purpose, "purpose");
    requireNonNull(keyId, "keyId");
    if (!MessageDigest.isEqual(sealed.kekIdBytes(), id)) {
      throw new KeySealException(
          "sealed key: sealed under key-encryption key "
              + sealed.kekId()
              + " (expected: "
              + id()
              + ", the id of the KEK given: wrong KEK file?)");
    }
    if (!sealed.purpose().equals(purpose)) {
      throw new KeySealException(
          "sealed key: purpose " + sealed.purpose() + " (expected: " + purpose + ")");
    }
    if (!sealed.keyId().equals(keyId)) {
      throw new KeySealException(
          "sealed key: key id " + sealed.keyId() + " (expected: " + keyId + ")");
    }
    byte[] pkcs8 = null;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          aesKey,
          new GCMParameterSpec(SealedKey.TAG_LENGTH * 8, sealed.nonce()));
      cipher.updateAAD(sealed.associatedData());
      pkcs8 = cipher.doFinal(sealed.ciphertext());
      return new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(pkcs8));
    } catch (AEADBadTagException e) {
      throw new KeySealException(
          "sealed key: authentication failed (expected: an untampered blob sealed under KEK "
              + id()
              + ")",
          e);
    } catch (PEMException | IllegalArgumentException e) {
      throw new KeySealException(
          "sealed key: the decrypted content is not a PKCS#8 private key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is required of every Java platform", e);
    } finally {
      if (pkcs8 != null) {
        Arrays.fill(pkcs8, (byte) 0);
      }
    }
  }

  /** Names the id only. */
  @Override
  public String toString() {
    return "KeyEncryptionKey{id=" + id() + "}";
  }

  private static byte[] hkdf(byte[] ikm, byte[] info, int length) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, null, info));
    byte[] out = new byte[length];
    generator.generateBytes(out, 0, length);
    return out;
  }

  private static void warnIfShared(Path path) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
      permissions.retainAll(
          Set.of(
              PosixFilePermission.GROUP_READ,
              PosixFilePermission.OTHERS_READ,
              PosixFilePermission.GROUP_WRITE,
              PosixFilePermission.OTHERS_WRITE));
      if (!permissions.isEmpty()) {
        log.warn(
            "key-encryption key file is accessible by group or others: path={} extra={}",
            path,
            permissions);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system: nothing to check.
    }
  }
}
