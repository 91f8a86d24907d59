package io.raftmesh.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FingerprintTest {
  static final TestPki PKI = TestPki.create("fp.test");

  @Test
  void isSha256OfDerInLowerHexAndOpensslForm() throws Exception {
    Fingerprint fp = Fingerprint.of(PKI.root.certificate());
    byte[] expected =
        MessageDigest.getInstance("SHA-256").digest(PKI.root.certificate().getEncoded());
    assertThat(fp.toString())
        .isEqualTo(HexFormat.of().formatHex(expected))
        .hasSize(64)
        .isLowerCase();
    assertThat(fp.toColonHex()).hasSize(95).isUpperCase().contains(":");
    assertThat(Fingerprint.parse(fp.toString())).isEqualTo(fp);
    assertThat(Fingerprint.parse(fp.toColonHex())).isEqualTo(fp);
    assertThat(Fingerprint.parse(fp.toString().toUpperCase())).isEqualTo(fp);
    assertThat(fp.matches(PKI.root.certificate())).isTrue();
    assertThat(fp.matches(PKI.issuerCertificate)).isFalse();
    assertThat(PKI.root.fingerprint()).isEqualTo(fp);
  }

  @Test
  void rejectsMalformedFingerprints() {
    assertThatThrownBy(() -> Fingerprint.parse("abc"))
        .hasMessageContaining("expected: 64 hex digits");
    assertThatThrownBy(() -> Fingerprint.parse("g".repeat(64))).isInstanceOf(CaException.class);
    // Non-ASCII digits are not hex digits.
    assertThatThrownBy(() -> Fingerprint.parse("\u0661".repeat(64)))
        .isInstanceOf(CaException.class);
    assertThatThrownBy(() -> Fingerprint.ofBytes(new byte[31])).hasMessageContaining("31 bytes");
  }
}
