package io.raftmesh.ca.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.TestPki;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SpiffeIdTest {
  static final long SEED = Long.getLong("raftmesh.test.seed", System.nanoTime());

  static {
    System.out.println(
        "SpiffeIdTest seed=" + SEED + " (rerun with -Draftmesh.test.seed=" + SEED + ")");
  }

  @Test
  void parsesTrustDomainPathAndSegments() {
    SpiffeId id = SpiffeId.parse("spiffe://mesh.example.org/ns/shop/sa/cart");
    assertThat(id.trustDomain().name()).isEqualTo("mesh.example.org");
    assertThat(id.path()).isEqualTo("/ns/shop/sa/cart");
    assertThat(id.segments()).containsExactly("ns", "shop", "sa", "cart");
    assertThat(id.toUri().getScheme()).isEqualTo("spiffe");
    assertThat(id).isEqualTo(TrustDomain.parse("mesh.example.org").id("ns", "shop", "sa", "cart"));
  }

  @Test
  void acceptsTrustDomainIdAndEveryAllowedCharacter() {
    assertThat(SpiffeId.parse("spiffe://a_b-c.9").isTrustDomainId()).isTrue();
    assertThat(SpiffeId.parse("spiffe://td/AZaz09.-_").segments()).containsExactly("AZaz09.-_");
    assertThat(SpiffeId.parse("spiffe://td/...").segments()).containsExactly("...");
  }

  @Test
  void acceptsExactlyMaxLengthAndRejectsOneMore() {
    String base = "spiffe://td/";
    String ok = base + "a".repeat(SpiffeId.MAX_LENGTH - base.length());
    assertThat(SpiffeId.parse(ok).toString()).hasSize(2048);
    assertThatThrownBy(() -> SpiffeId.parse(ok + "a"))
        .hasMessageContaining("at most 2048 characters");
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''                                   | empty string
          http://td/path                       | scheme spiffe://
          SPIFFE://td/path                     | scheme in lower case
          Spiffe://td/path                     | scheme in lower case
          spiffe:/td/path                      | after "spiffe:"
          spiffe:td                            | after "spiffe:"
          spiffe://                            | a trust domain after spiffe://
          spiffe:///path                       | a trust domain after spiffe://
          spiffe://user@td/path                | no user info
          spiffe://td:8080/path                | no port
          spiffe://TD/path                     | lower-case letters only
          spiffe://t%41d/path                  | no percent-encoded
          spiffe://[::1]/path                  | only the characters
          spiffe://td/path?query=1             | no query
          spiffe://td/path#fragment            | no fragment
          spiffe://td/                         | no empty path segments
          spiffe://td//path                    | no empty path segments
          spiffe://td/path/                    | no trailing
          spiffe://td/./path                   | no relative path segments
          spiffe://td/a/..                     | no relative path segments
          spiffe://td/p%20q                    | no percent-encoded characters in the path
          spiffe://td/p q                      | found " "
          spiffe://td/caf\u00e9                | found "\\u00e9"
          spiffe://t d/path                    | found " "
          spiffe://td/pa$h                     | found "$"
          """)
  void rejectsInvalidIdWithReason(String text, String reason) {
    assertThatThrownBy(() -> SpiffeId.parse(text))
        .isInstanceOf(InvalidSpiffeIdException.class)
        .hasMessageStartingWith("spiffe id: ")
        .hasMessageContaining(reason);
  }

  @Test
  void rejectsTrustDomainLongerThan255() {
    String td = "a".repeat(256);
    assertThatThrownBy(() -> TrustDomain.parse(td)).hasMessageContaining("at most 255 characters");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + td + "/x"))
        .hasMessageContaining("at most 255");
    assertThat(TrustDomain.parse("a".repeat(255)).name()).hasSize(255);
  }

  @Test
  void errorMessagesEscapeControlCharacters() {
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://td/a\nforged log line"))
        .hasMessageNotContaining("\n")
        .hasMessageContaining("\\u000a");
  }

  @Test
  void buildsSegmentsCheckingEachOne() {
    TrustDomain td = TrustDomain.parse("td");
    assertThatThrownBy(() -> td.id("a/b")).hasMessageContaining("path segment: \"a/b\"");
    assertThatThrownBy(() -> td.id("..")).hasMessageContaining("relative");
    assertThatThrownBy(() -> td.id("")).hasMessageContaining("empty");
  }

  @Test
  void classifiesMeshIdentities() {
    TrustDomain td = TrustDomain.parse("mesh.local");
    assertThat(MeshIdentity.of(SpiffeId.parse("spiffe://mesh.local/control/n1")))
        .isEqualTo(new MeshIdentity.ControlServer(td, "n1"));
    assertThat(MeshIdentity.of(SpiffeId.parse("spiffe://mesh.local/admin/alice")))
        .isEqualTo(new MeshIdentity.Admin(td, "alice"));
    assertThat(MeshIdentity.of(SpiffeId.parse("spiffe://mesh.local/node/worker-1")))
        .isEqualTo(new MeshIdentity.Node(td, "worker-1"));
    assertThat(MeshIdentity.of(SpiffeId.parse("spiffe://mesh.local/ns/shop/sa/cart")))
        .isEqualTo(new MeshIdentity.Workload(td, "shop", "cart"));
    assertThat(new MeshIdentity.Workload(td, "shop", "cart").spiffeId())
        .hasToString("spiffe://mesh.local/ns/shop/sa/cart");
    assertThatThrownBy(() -> MeshIdentity.of(SpiffeId.parse("spiffe://mesh.local/ns/shop")))
        .hasMessageContaining("expected: spiffe://<td>/control/<id>");
    assertThatThrownBy(() -> new MeshIdentity.Node(td, "Upper"))
        .hasMessageContaining("node name: \"Upper\" (expected: a DNS label");
    assertThatThrownBy(() -> new MeshIdentity.Node(td, "-x"))
        .isInstanceOf(InvalidSpiffeIdException.class);
    assertThatThrownBy(() -> new MeshIdentity.Node(td, "a".repeat(64)))
        .isInstanceOf(InvalidSpiffeIdException.class);
  }

  @Test
  void extractsIdFromCertificateAndRejectsCertificateWithoutOne() {
    TestPki pki = TestPki.create("extract.test");
    X509Certificate leaf = pki.leaf("node", "n1").issued().certificate();
    assertThat(SpiffeId.fromCertificate(leaf)).hasToString("spiffe://extract.test/node/n1");
    // The root's own ID is the trust domain ID.
    assertThat(SpiffeId.fromCertificate(pki.root.certificate()).isTrustDomainId()).isTrue();
  }

  static Stream<Arguments> seeds() {
    Random master = new Random(SEED);
    List<Arguments> seeds = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      seeds.add(Arguments.of(master.nextLong()));
    }
    return seeds.stream();
  }

  private static final String TD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_";
  private static final String PATH_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
  private static final String BAD_CHARS = " /?#%:@[]!$&'()*+,;=\"<>\\^`{|}~\u00e9\u0000";

  static String randomId(Random r) {
    StringBuilder s = new StringBuilder("spiffe://");
    int tdLength = 1 + r.nextInt(30);
    for (int i = 0; i < tdLength; i++) {
      s.append(TD_CHARS.charAt(r.nextInt(TD_CHARS.length())));
    }
    int segments = r.nextInt(6);
    for (int i = 0; i < segments; i++) {
      s.append('/');
      String segment;
      do {
        StringBuilder seg = new StringBuilder();
        int length = 1 + r.nextInt(12);
        for (int j = 0; j < length; j++) {
          seg.append(PATH_CHARS.charAt(r.nextInt(PATH_CHARS.length())));
        }
        segment = seg.toString();
      } while (segment.equals(".") || segment.equals(".."));
      s.append(segment);
    }
    return s.toString();
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void randomValidIdsRoundTripAndRandomCorruptionsAreRejected(long seed) {
    Random r = new Random(seed);
    String text = randomId(r);
    SpiffeId id = SpiffeId.parse(text);
    assertThat(id.toString()).isEqualTo(text);
    assertThat(SpiffeId.of(id.trustDomain(), id.segments())).isEqualTo(id);
    assertThat(SpiffeId.parse(id.toString())).isEqualTo(id);
    // Insert one forbidden character anywhere after the scheme: never accepted silently.
    char bad = BAD_CHARS.charAt(r.nextInt(BAD_CHARS.length()));
    int at = "spiffe://".length() + r.nextInt(text.length() - "spiffe://".length() + 1);
    String corrupted = text.substring(0, at) + bad + text.substring(at);
    boolean stillValid;
    try {
      SpiffeId parsed = SpiffeId.parse(corrupted);
      // Only '/' can land somewhere legal (splitting a segment or the trust domain).
      stillValid = bad == '/' && parsed.toString().equals(corrupted);
    } catch (InvalidSpiffeIdException e) {
      stillValid = false;
      assertThat(e.getMessage()).startsWith("spiffe id: ").contains("expected: ");
    }
    if (stillValid) {
      assertThat(bad).isEqualTo('/');
    }
  }
}
