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

  /**
   * Whether a request target's path is in normal form, so that prefix rules cannot be sidestepped:
   * no empty, "." or ".." segments, no backslash, and no percent-encoded '.', '/', '\\' or NUL.
   * Scans without allocating.
   */
  static boolean isNormalizedPath(String uri) {
    int n = uri.length();
    if (n == 0 || uri.charAt(0) != '/') {
      return uri.equals("*");
    }
    int segStart = 1;
    for (int i = 1; i <= n; i++) {
      char c = i < n ? uri.charAt(i) : '/';
      if (c == '?' || c == '#') {
        c = '/';
        n = i; // The query and fragment are not checked.
      }
      if (c == '/') {
        int len = i - segStart;
        if (len == 0 && i < n) {
          return false; // "//"
        }
        if ((len == 1 && uri.charAt(segStart) == '.')
            || (len == 2 && uri.charAt(segStart) == '.' && uri.charAt(segStart + 1) == '.')) {
          return false;
        }
        segStart = i + 1;
      } else if (c == '\\') {
        return false;
      } else if (c == '%' && i + 2 < n) {
        char h = uri.charAt(i + 1);
        char l = Character.toLowerCase(uri.charAt(i + 2));
        if ((h == '2' && (l == 'e' || l == 'f'))
            || (h == '5' && l == 'c')
            || (h == '0' && l == '0')) {
          return false;
        }
      }
    }
    return true;
  }
}
