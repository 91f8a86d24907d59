package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * Conditions on a request; all must hold.
 *
 * @param exactPath the path must equal this (query excluded); empty for no condition
 * @param pathPrefix the path must start with this; empty for no condition
 * @param headers header conditions
 * @param method the HTTP method; empty for any
 */
public record HttpMatchConfig(
    String exactPath, String pathPrefix, List<HeaderCondition> headers, String method) {

  /** Copies the header list. */
  public HttpMatchConfig {
    requireNonNull(exactPath, "exactPath");
    requireNonNull(pathPrefix, "pathPrefix");
    requireNonNull(method, "method");
    headers = List.copyOf(headers);
  }

  /** Whether {@code request} satisfies every condition. */
  public boolean test(HttpRequest request) {
    if (!method.isEmpty() && !request.method().name().equals(method)) {
      return false;
    }
    String uri = request.uri();
    int pathEnd = pathEnd(uri);
    if (!exactPath.isEmpty()
        && (pathEnd != exactPath.length() || !uri.regionMatches(0, exactPath, 0, pathEnd))) {
      return false;
    }
    if (!pathPrefix.isEmpty()
        && (pathEnd < pathPrefix.length()
            || !uri.regionMatches(0, pathPrefix, 0, pathPrefix.length()))) {
      return false;
    }
    for (int i = 0; i < headers.size(); i++) {
      if (!headers.get(i).test(request.headers())) {
        return false;
      }
    }
    return true;
  }

  /** Index where the path of a request target ends (at '?' or '#', or the end). */
  static int pathEnd(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return uri.length();
  }
}
