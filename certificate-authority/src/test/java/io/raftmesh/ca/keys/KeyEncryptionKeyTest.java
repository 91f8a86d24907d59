package io.raftmesh.ca.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.TestPki;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyEncryptionKeyTest {
  @TempDir Path dir;

  final KeyEncryptionKey kek = KeyEncryptionKey.generate(TestPki.RANDOM);
  final KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
  final String keyId = KeyId.of(keys.getPublic()).toString();

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void sealsAndUnsealsEveryKeyType(KeyAlgorithm algorithm) {
    KeyPair pair = algorithm.generateKeyPair(TestPki.RANDOM);
    SealedKey sealed = kek.seal(pair.getPrivate(), "issuing-ca", "k1", TestPki.RANDOM);
    SealedKey parsed = SealedKey.parse(sealed.encoded());
    assertThat(parsed.kekId()).isEqualTo(kek.id());
    assertThat(parsed.purpose()).isEqualTo("issuing-ca");
    assertThat(parsed.keyId()).isEqualTo("k1");
    assertThat(kek.unseal(parsed, "issuing-ca", "k1").getEncoded())
        .isEqualTo(pair.getPrivate().getEncoded());
  }

  @Test
  void blobLayoutIsAsDocumented() {
    byte[] blob = kek.seal(keys.getPrivate(), "issuing-ca", keyId, TestPki.RANDOM).encoded();
    assertThat(new String(blob, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RMSK");
    assertThat(blob[4]).isEqualTo((byte) 1);
    assertThat(blob[13]).isEqualTo((byte) "issuing-ca".length());
    assertThat(new String(blob, 14, 10, StandardCharsets.US_ASCII)).isEqualTo("issuing-ca");
    assertThat(blob[24]).isEqualTo((byte) 32);
    assertThat(new String(blob, 25, 32, StandardCharsets.US_ASCII)).isEqualTo(keyId);
    // nonce 12 + ciphertext (PKCS#8 length) + tag 16
    assertThat(blob.length).isEqualTo(25 + 32 + 12 + keys.getPrivate().getEncoded().length + 16);
  }

  @Test
  void twoSealsOfOneKeyDiffer() {
    byte[] a = kek.seal(keys.getPrivate(), "issuing-ca", keyId, TestPki.RANDOM).encoded();
    byte[] b = kek.seal(keys.getPrivate(), "issuing-ca", keyId, TestPki.RANDOM).encoded();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void rejectsWrongKek() {
    SealedKey sealed = kek.seal(keys.getPrivate(), "issuing-ca", keyId, TestPki.RANDOM);
    KeyEncryptionKey other = KeyEncryptionKey.generate(TestPki.RANDOM);
    assertThatThrownBy(() -> other.unseal(sealed, "issuing-ca", keyId))
        .isInstanceOf(KeySealException.class)
        .hasMessageContaining("sealed under key-encryption key " + kek.id())
        .hasMessageContaining("expected: " + other.id())
        .hasMessageContaining("wrong KEK file?");
  }

  @Test
  void rejectsTamperedCiphertextHeaderAndTruncation() {
    byte[] blob = kek.seal(keys.getPrivate(), "issuing-ca", keyId, TestPki.RANDOM).encoded();
    byte[] flipped = blob.clone();
    flipped[flipped.length - 20] ^= 1;
    assertThatThrownBy(() -> kek.unseal(SealedKey.parse(flipped), "issuing-ca", keyId))
        .hasMessageContaining("authentication failed");
    // Rewrite the purpose in the header to another of the same length: the AAD no longer matches.
    byte[] relabelled = blob.clone();
    byte[] other = "issuing-cb".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(other, 0, relabelled, 14, other.length);
    assertThatThrownBy(() -> kek.unseal(SealedKey.parse(relabelled), "issuing-cb", keyId))
        .hasMessageContaining("authentication failed");
    assertThatThrownBy(() -> SealedKey.parse(java.util.Arrays.copyOf(blob, 30)))
        .hasMessageContaining("truncated");
    byte[] badMagic = blob.clone();
    badMagic[0] = 'X';
    assertThatThrownBy(() -> SealedKey.parse(badMagic)).hasMessageContaining("bad magic");
    byte[] badVersion = blob.clone();
    badVersion[4] = 9;
    assertThatThrownBy(() -> SealedKey.parse(badVersion)).hasMessageContaining("format version 9");
  }

  @Test
  void rejectsOtherPurposeOrKeyId() {
    SealedKey sealed = kek.seal(keys.getPrivate(), "issuing-ca", keyId, TestPki.RANDOM);
    assertThatThrownBy(() -> kek.unseal(sealed, "root-ca", keyId))
        .hasMessageContaining("purpose issuing-ca (expected: root-ca)");
    assertThatThrownBy(() -> kek.unseal(sealed, "issuing-ca", "other"))
        .hasMessageContaining("key id " + keyId + " (expected: other)");
    assertThatThrownBy(() -> kek.seal(keys.getPrivate(), "bad purpose", keyId, TestPki.RANDOM))
        .isInstanceOf(KeySealException.class)
        .hasMessageContaining("purpose: \"bad purpose\"");
  }

  @Test
  void readsRawAndBase64FilesAndWritesOwnerOnly() throws Exception {
    Path file = dir.resolve("kek");
    kek.write(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).hasSize(45).endsWith("\n");
    assertThat(KeyEncryptionKey.read(file).id()).isEqualTo(kek.id());
    Path raw = dir.resolve("kek.raw");
    Files.write(raw, Base64.getDecoder().decode(Files.readString(file).strip()));
    assertThat(KeyEncryptionKey.read(raw).id()).isEqualTo(kek.id());
    assertThatThrownBy(() -> kek.write(file))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("refusing to overwrite");
  }

  @Test
  void rejectsKekFilesOfTheWrongShape() throws Exception {
    Path shortFile = dir.resolve("short");
    Files.write(shortFile, new byte[31]);
    assertThatThrownBy(() -> KeyEncryptionKey.read(shortFile))
        .isInstanceOf(KeySealException.class)
        .hasMessageContaining(
            "31 bytes (expected: 32 raw bytes or their 44-character base64 form)");
    Path text = dir.resolve("text");
    Files.writeString(text, "not a key at all, just some words\n");
    assertThatThrownBy(() -> KeyEncryptionKey.read(text))
        .hasMessageContaining("expected: 32 raw bytes");
    assertThatThrownBy(() -> KeyEncryptionKey.read(dir.resolve("absent")))
        .hasMessageContaining("cannot be read");
  }

  @Test
  void toStringShowsOnlyTheId() {
    assertThat(kek.toString()).isEqualTo("KeyEncryptionKey{id=" + kek.id() + "}");
    assertThat(kek.id()).hasSize(16);
  }

  @Test
  void keyIdIsStableHexOfSpkiHash() {
    assertThat(KeyId.of(keys.getPublic())).isEqualTo(KeyId.of(keys.getPublic()));
    assertThat(KeyId.of(keys.getPublic()).toString()).hasSize(32).matches("[0-9a-f]{32}");
  }
}
