package io.raftmesh.agent.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizationConfigTest {
  private static final String WEB = "spiffe://mesh.test/ns/shop/sa/web";
  private static final String BATCH = "spiffe://mesh.test/ns/batch/sa/cron";

  private static AuthorizationConfig.Rule rule(
      List<String> sources, List<String> methods, List<String> paths) {
    return new AuthorizationConfig.Rule(
        sources.stream().map(SourcePattern::parse).toList(), methods, paths);
  }

  @Test
  void starSegmentMatchesExactlyOneSegmentAndTrailingDoubleStarAnyRest() {
    SourcePattern shopAny = SourcePattern.parse("spiffe://mesh.test/ns/shop/sa/*");
    assertThat(shopAny.matches(WEB)).isTrue();
    assertThat(shopAny.matches(BATCH)).isFalse();
    assertThat(shopAny.matches("spiffe://mesh.test/ns/shop/sa/web/extra")).isFalse();
    assertThat(shopAny.matches("spiffe://mesh.test/ns/shop/sa/")).isFalse();
    SourcePattern domain = SourcePattern.parse("spiffe://mesh.test/**");
    assertThat(domain.matches(WEB)).isTrue();
    assertThat(domain.matches("spiffe://other.test/ns/shop/sa/web")).isFalse();
    SourcePattern any = SourcePattern.parse("*");
    assertThat(any.matches(WEB)).isTrue();
    assertThat(any.matches(null)).isFalse();
    assertThat(SourcePattern.parse(WEB).matches(WEB)).isTrue();
    assertThat(SourcePattern.parse(WEB).matches(WEB + "x")).isFalse();
  }

  @Test
  void rejectsPatternsThatAreNotSpiffeIds() {
    assertThatThrownBy(() -> SourcePattern.parse("web")).hasMessageContaining("expected");
    assertThatThrownBy(() -> SourcePattern.parse("spiffe://mesh.test/**/x"))
        .hasMessageContaining("**");
  }

  @Test
  void denyBeatsAllowAndDefaultAppliesWhenNothingMatches() {
    AuthorizationConfig c =
        new AuthorizationConfig(
            false,
            List.of(rule(List.of("spiffe://mesh.test/ns/shop/sa/*"), List.of(), List.of())),
            List.of(rule(List.of(WEB), List.of("DELETE"), List.of("/admin"))));
    assertThat(c.allowsRequest(WEB, "GET", "/admin")).isTrue();
    assertThat(c.allowsRequest(WEB, "DELETE", "/admin/users")).isFalse();
    assertThat(c.allowsRequest(WEB, "DELETE", "/public")).isTrue();
    assertThat(c.allowsRequest(BATCH, "GET", "/")).isFalse();
    assertThat(c.allowsRequest(null, "GET", "/")).isFalse();
  }

  @Test
  void connectionLevelDecisionsSkipRulesThatNeedMethodsOrPaths() {
    AuthorizationConfig c =
        new AuthorizationConfig(
            false,
            List.of(rule(List.of(WEB), List.of(), List.of())),
            List.of(rule(List.of(WEB), List.of("GET"), List.of())));
    assertThat(c.allowsConnection(WEB)).isTrue();
    assertThat(c.allowsConnection(BATCH)).isFalse();
  }
}
