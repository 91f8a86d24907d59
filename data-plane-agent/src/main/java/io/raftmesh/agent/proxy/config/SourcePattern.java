package io.raftmesh.agent.proxy.config;

import org.jspecify.annotations.Nullable;

/**
 * A pattern over caller SPIFFE IDs: {@code "*"} alone matches any authenticated caller; otherwise
 * the pattern is compared segment by segment (split on '/'), where a {@code "*"} segment matches
 * exactly one segment and a trailing {@code "**"} matches any (possibly empty) rest.
 */
final class SourcePattern {
  private final String text;
  private final String @Nullable [] segments;
  private final boolean trailingAny;

  private SourcePattern(String text, String @Nullable [] segments, boolean trailingAny) {
    this.text = text;
    this.segments = segments;
    this.trailingAny = trailingAny;
  }

  /** Parses a pattern; throws IllegalArgumentException naming the problem. */
  static SourcePattern parse(String text) {
    if (text.equals("*")) {
      return new SourcePattern(text, null, false);
    }
    if (!text.startsWith("spiffe://") || text.length() <= "spiffe://".length()) {
      throw new IllegalArgumentException(
          text + " (expected: \"*\" or a SPIFFE ID pattern spiffe://<trust-domain>/...)");
    }
    String[] parts = text.substring("spiffe://".length()).split("/", -1);
    boolean trailing = parts[parts.length - 1].equals("**");
    int n = trailing ? parts.length - 1 : parts.length;
    String[] segs = new String[n];
    for (int i = 0; i < n; i++) {
      if (parts[i].isEmpty() || parts[i].equals("**")) {
        throw new IllegalArgumentException(
            text + " (expected: non-empty segments, \"**\" only as the last segment)");
      }
      segs[i] = parts[i];
    }
    return new SourcePattern(text, segs, trailing);
  }

  /** Whether the caller {@code spiffeId} (null for an unauthenticated caller) matches. */
  boolean matches(@Nullable String spiffeId) {
    if (spiffeId == null || !spiffeId.startsWith("spiffe://")) {
      return false;
    }
    String[] segs = segments;
    if (segs == null) {
      return true;
    }
    int pos = "spiffe://".length();
    for (int i = 0; i < segs.length; i++) {
      if (pos > spiffeId.length()) {
        return false;
      }
      int end = spiffeId.indexOf('/', pos);
      if (end < 0) {
        end = spiffeId.length();
      }
      String seg = segs[i];
      boolean ok =
          seg.equals("*")
              ? end > pos
              : end - pos == seg.length() && spiffeId.regionMatches(pos, seg, 0, seg.length());
      if (!ok) {
        return false;
      }
      pos = end + 1;
    }
    // pos is one past the separator after the last matched segment, or length + 1 at the end.
    return trailingAny || pos == spiffeId.length() + 1;
  }

  @Override
  public String toString() {
    return text;
  }
}
