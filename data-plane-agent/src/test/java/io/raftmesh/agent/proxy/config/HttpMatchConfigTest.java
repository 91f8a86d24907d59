package io.raftmesh.agent.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpMatchConfigTest {
  private static HttpRequest req(HttpMethod m, String uri, String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, uri);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  @Test
  void exactPathIgnoresTheQueryAndPrefixMatchesStarts() {
    HttpMatchConfig exact = new HttpMatchConfig("/a/b", "", List.of(), "");
    assertThat(exact.test(req(HttpMethod.GET, "/a/b?x=1"))).isTrue();
    assertThat(exact.test(req(HttpMethod.GET, "/a/bc"))).isFalse();
    assertThat(exact.test(req(HttpMethod.GET, "/a"))).isFalse();
    HttpMatchConfig prefix = new HttpMatchConfig("", "/api/", List.of(), "");
    assertThat(prefix.test(req(HttpMethod.GET, "/api/v1"))).isTrue();
    assertThat(prefix.test(req(HttpMethod.GET, "/ap"))).isFalse();
    assertThat(prefix.test(req(HttpMethod.GET, "/x?/api/"))).isFalse();
  }

  @Test
  void headersAndMethodMustAllHold() {
    HttpMatchConfig m =
        new HttpMatchConfig(
            "",
            "",
            List.of(
                new HeaderCondition(AsciiString.of("x-canary"), HeaderCondition.Kind.EXACT, "yes"),
                new HeaderCondition(AsciiString.of("x-user"), HeaderCondition.Kind.PREFIX, "qa-"),
                new HeaderCondition(AsciiString.of("x-debug"), HeaderCondition.Kind.ABSENT, "")),
            "POST");
    assertThat(m.test(req(HttpMethod.POST, "/", "X-Canary", "yes", "x-user", "qa-1"))).isTrue();
    assertThat(m.test(req(HttpMethod.GET, "/", "x-canary", "yes", "x-user", "qa-1"))).isFalse();
    assertThat(m.test(req(HttpMethod.POST, "/", "x-canary", "no", "x-user", "qa-1"))).isFalse();
    assertThat(
            m.test(req(HttpMethod.POST, "/", "x-canary", "yes", "x-user", "qa-1", "x-debug", "1")))
        .isFalse();
  }

  @Test
  void routePicksTargetsByCumulativeWeight() {
    ServiceName s = new ServiceName("shop", "api");
    HttpRouteConfig r =
        new HttpRouteConfig(
            "r",
            List.of(),
            List.of(new WeightedTargetConfig(s, "v1", 90), new WeightedTargetConfig(s, "v2", 10)),
            0,
            RetryConfig.NONE,
            null);
    assertThat(r.pick(0).subset()).isEqualTo("v1");
    assertThat(r.pick(89).subset()).isEqualTo("v1");
    assertThat(r.pick(90).subset()).isEqualTo("v2");
    assertThat(r.pick(99).subset()).isEqualTo("v2");
  }
}
