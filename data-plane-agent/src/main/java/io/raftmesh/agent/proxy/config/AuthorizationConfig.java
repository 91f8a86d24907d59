package io.raftmesh.agent.proxy.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who may call one local service. Deny rules beat allow rules; a request matching no rule gets the
 * default action. Empty lists in a rule mean "any".
 */
public final class AuthorizationConfig {
  private final boolean defaultAllow;
  private final List<Rule> allow;
  private final List<Rule> deny;

  AuthorizationConfig(boolean defaultAllow, List<Rule> allow, List<Rule> deny) {
    this.defaultAllow = defaultAllow;
    this.allow = List.copyOf(allow);
    this.deny = List.copyOf(deny);
  }

  private static final AuthorizationConfig ALLOW_ALL =
      new AuthorizationConfig(true, List.of(), List.of());
  private static final AuthorizationConfig DENY_ALL =
      new AuthorizationConfig(false, List.of(), List.of());

  /** A policy without rules that answers {@code allow} to everyone. */
  public static AuthorizationConfig everyone(boolean allow) {
    return allow ? ALLOW_ALL : DENY_ALL;
  }

  /**
   * Decides an HTTP request.
   *
   * @param source the caller's SPIFFE ID, or null when the caller did not authenticate
   * @param method the HTTP method
   * @param path the request target (the query, if any, is ignored by prefix matching)
   */
  public boolean allowsRequest(@Nullable String source, String method, String path) {
    for (int i = 0; i < deny.size(); i++) {
      if (deny.get(i).matches(source, method, path)) {
        return false;
      }
    }
    for (int i = 0; i < allow.size(); i++) {
      if (allow.get(i).matches(source, method, path)) {
        return true;
      }
    }
    return defaultAllow;
  }

  /**
   * Decides a TCP connection. Rules that name methods or paths cannot be evaluated on opaque bytes
   * and are skipped.
   */
  public boolean allowsConnection(@Nullable String source) {
    for (int i = 0; i < deny.size(); i++) {
      Rule r = deny.get(i);
      if (r.connectionLevel() && r.matchesSource(source)) {
        return false;
      }
    }
    for (int i = 0; i < allow.size(); i++) {
      Rule r = allow.get(i);
      if (r.connectionLevel() && r.matchesSource(source)) {
        return true;
      }
    }
    return defaultAllow;
  }

  /** One compiled rule. */
  record Rule(List<SourcePattern> sources, List<String> methods, List<String> pathPrefixes) {
    Rule {
      sources = List.copyOf(sources);
      methods = List.copyOf(methods);
      pathPrefixes = List.copyOf(pathPrefixes);
    }

    boolean connectionLevel() {
      return methods.isEmpty() && pathPrefixes.isEmpty();
    }

    boolean matchesSource(@Nullable String source) {
      if (sources.isEmpty()) {
        return true;
      }
      for (int i = 0; i < sources.size(); i++) {
        if (sources.get(i).matches(source)) {
          return true;
        }
      }
      return false;
    }

    boolean matches(@Nullable String source, String method, String path) {
      if (!matchesSource(source)) {
        return false;
      }
      if (!methods.isEmpty() && !methods.contains(method)) {
        return false;
      }
      if (pathPrefixes.isEmpty()) {
        return true;
      }
      for (int i = 0; i < pathPrefixes.size(); i++) {
        if (path.startsWith(pathPrefixes.get(i))) {
          return true;
        }
      }
      return false;
    }
  }
}
