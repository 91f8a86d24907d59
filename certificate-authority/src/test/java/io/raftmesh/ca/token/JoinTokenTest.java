package io.raftmesh.ca.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.TestPki;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JoinTokenTest {
  static final Fingerprint ROOT = TestPki.create("token.test").root.fingerprint();

  @Test
  void roundTripsAndCarriesTheRootFingerprint() {
    JoinToken token = JoinToken.generate(ROOT, TestPki.RANDOM);
    String text = token.encoded();
    assertThat(text).matches("rmt1\\.[0-9a-f]{64}\\.[0-9a-f]{16}\\.[A-Za-z0-9_-]{43}");
    JoinToken parsed = JoinToken.parse(text);
    assertThat(parsed).isEqualTo(token);
    assertThat(parsed.rootFingerprint()).isEqualTo(ROOT);
    assertThat(parsed.id()).isEqualTo(token.id());
    assertThat(JoinToken.parse("  " + text + "\n")).isEqualTo(token);
  }

  @Test
  void storedHashIsSha256OfTheSecretAndMatchesOnlyThatToken() throws Exception {
    JoinToken token = JoinToken.generate(ROOT, TestPki.RANDOM);
    String secret = token.encoded().substring(token.encoded().lastIndexOf('.') + 1);
    byte[] expected =
        MessageDigest.getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(secret));
    assertThat(token.secretSha256()).isEqualTo(expected);
    byte[] stored = token.secretSha256();
    assertThat(JoinToken.parse(token.encoded()).matches(stored)).isTrue();
    assertThat(JoinToken.generate(ROOT, TestPki.RANDOM).matches(stored)).isFalse();
    assertThat(token.matches(new byte[0])).isFalse();
  }

  @Test
  void neverShowsTheSecret() {
    JoinToken token = JoinToken.generate(ROOT, TestPki.RANDOM);
    String secret = token.encoded().substring(token.encoded().lastIndexOf('.') + 1);
    assertThat(token.toString()).doesNotContain(secret).contains(token.id());
    String cut = token.encoded().substring(0, token.encoded().length() - 1);
    assertThatThrownBy(() -> JoinToken.parse(cut))
        .isInstanceOf(InvalidJoinTokenException.class)
        .hasMessageContaining("malformed secret of 42 characters")
        .hasMessageNotContaining(secret.substring(0, 42));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "rmt1",
        "rmt2.aa.bb.cc",
        "rmt1.abc.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "rmt1.ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "rmt1.abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.0123.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "rmt1.abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.0123456789abcdef.AAAA",
        "rmt1.abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
        "rmt1.abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
        "rmt1.abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.extra"
      })
  void rejectsMalformedTokensNamingThePart(String text) {
    assertThatThrownBy(() -> JoinToken.parse(text))
        .isInstanceOf(InvalidJoinTokenException.class)
        .hasMessageStartingWith("join token: ")
        .hasMessageContaining("expected: ");
  }
}
