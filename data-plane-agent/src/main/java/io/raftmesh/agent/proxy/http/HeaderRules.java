package io.raftmesh.agent.proxy.http;

import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * What the proxy changes in forwarded headers. HTTP/2 framing drops connection-specific headers
 * itself (Netty's conversion); for HTTP/1.1 legs this class strips hop-by-hop headers (RFC 9110
 * section 7.6.1) and the conversion's {@code x-http2-*} extension headers, and restores framing
 * (content-length or chunked) so that a message never relies on connection close.
 */
final class HeaderRules {
  /** The header that tells the backend who called; set by the inbound proxy, never trusted. */
  static final AsciiString PEER_IDENTITY = AsciiString.cached("x-raftmesh-peer-identity");

  /** The header on proxy-generated errors naming the reason. */
  static final AsciiString ERROR = AsciiString.cached("x-raftmesh-error");

  static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

  private static final AsciiString[] HOP_BY_HOP = {
    HttpHeaderNames.CONNECTION,
    HttpHeaderNames.KEEP_ALIVE,
    AsciiString.cached("proxy-connection"),
    HttpHeaderNames.UPGRADE,
    HttpHeaderNames.TE,
    HttpHeaderNames.TRANSFER_ENCODING,
    HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
    HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
    HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
    HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
    HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
    HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text(),
  };

  private HeaderRules() {}

  /**
   * Prepares a message for an HTTP/1.1 leg: strips hop-by-hop headers and restores framing.
   *
   * @param full whether the message carries its whole body (a FullHttpMessage)
   */
  static void forH1(HttpMessage m, boolean full) {
    HttpHeaders h = m.headers();
    if (m instanceof io.netty.handler.codec.http.HttpRequest && !full) {
      // A request head without content-length or chunked has no body; keep that as it is.
      boolean hasBody =
          HttpUtil.isTransferEncodingChunked(m) || h.contains(HttpHeaderNames.CONTENT_LENGTH);
      stripHopByHop(h);
      if (hasBody && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
      return;
    }
    boolean chunked = HttpUtil.isTransferEncodingChunked(m);
    stripHopByHop(h);
    if (!bodyAllowed(m)) {
      return;
    }
    if (full) {
      if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        h.set(HttpHeaderNames.CONTENT_LENGTH, ((FullHttpMessage) m).content().readableBytes());
      }
    } else if (chunked || !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      h.remove(HttpHeaderNames.CONTENT_LENGTH);
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
  }

  private static void stripHopByHop(HttpHeaders h) {
    String connection = h.get(HttpHeaderNames.CONNECTION);
    if (connection != null) {
      for (String token : connection.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          h.remove(t);
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      h.remove(name);
    }
  }

  private static boolean bodyAllowed(HttpMessage m) {
    if (m instanceof HttpResponse) {
      int code = ((HttpResponse) m).status().code();
      return code >= 200 && code != 204 && code != 304;
    }
    return true;
  }

  /** Whether a path is in normal form, so that prefix rules cannot be sidestepped. */
  static boolean isNormalizedPath(String uri) {
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      return uri.equals("*");
    }
    int end = uri.length();
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String path = uri.substring(0, end);
    if (path.contains("//") || path.contains("\\") || path.endsWith("/.") || path.endsWith("/..")) {
      return false;
    }
    if (path.contains("/./") || path.contains("/../")) {
      return false;
    }
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    for (String enc : List.of("%2e", "%2f", "%5c", "%00")) {
      if (lower.contains(enc)) {
        return false;
      }
    }
    return true;
  }
}
