package io.raftmesh.agent.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {
  @Test
  void stripsHopByHopHeadersAndThoseNamedByConnection() {
    var r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers()
        .set("connection", "keep-alive, x-secret")
        .set("x-secret", "1")
        .set("keep-alive", "timeout=5")
        .set("x-http2-stream-id", "3")
        .set("x-kept", "yes");
    HeaderRules.forH1(r, false);
    assertThat(r.headers().names()).containsExactlyInAnyOrder("x-kept", "transfer-encoding");
    assertThat(r.headers().get("transfer-encoding")).isEqualTo("chunked");
  }

  @Test
  void fullResponsesGetContentLengthAndBodylessStatusesGetNoFraming() {
    var full =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[7]));
    HeaderRules.forH1(full, true);
    assertThat(full.headers().get("content-length")).isEqualTo("7");
    full.release();
    var noContent = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    HeaderRules.forH1(noContent, false);
    assertThat(noContent.headers().isEmpty()).isTrue();
  }

  @Test
  void requestsWithoutABodyStayWithoutFraming() {
    var get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    get.headers().set("te", "trailers");
    HeaderRules.forH1(get, false);
    assertThat(get.headers().isEmpty()).isTrue();
    var post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
    post.headers().set("transfer-encoding", "chunked");
    HeaderRules.forH1(post, false);
    assertThat(post.headers().get("transfer-encoding")).isEqualTo("chunked");
  }

  @Test
  void recognizesPathsThatCouldSidestepPrefixRules() {
    assertThat(HeaderRules.isNormalizedPath("/api/v1?x=../..")).isTrue();
    assertThat(HeaderRules.isNormalizedPath("*")).isTrue();
    for (String bad :
        new String[] {
          "/a/../admin", "/a/./b", "//admin", "/admin/..", "/%2e%2e/admin", "/a%2Fb", "/a\\b", "rel"
        }) {
      assertThat(HeaderRules.isNormalizedPath(bad)).as(bad).isFalse();
    }
  }
}
