package io.raftmesh.ca.identity;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A SPIFFE trust domain name: 1 to 255 characters from {@code [a-z0-9._-]} (SPIFFE-ID spec, section
 * 2.1). Lower case only, no port, no user info, no percent-encoding. Instances are always valid.
 */
public final class TrustDomain implements Comparable<TrustDomain> {
  /** The longest trust domain name RFC 3986 allows for a URI host. */
  public static final int MAX_LENGTH = 255;

  private final String name;

  private TrustDomain(String name) {
    this.name = name;
  }

  /**
   * Parses a trust domain name such as {@code mesh.example.org}.
   *
   * @throws InvalidSpiffeIdException naming the rule {@code name} breaks
   */
  public static TrustDomain parse(String name) {
    requireNonNull(name, "name");
    String problem = problem(name);
    if (problem != null) {
      throw new InvalidSpiffeIdException(
          "trust domain: " + CaException.quote(name) + " (expected: " + problem + ")");
    }
    return new TrustDomain(name);
  }

  /**
   * Why {@code name} is not a valid trust domain, or null when it is. Shared with {@link SpiffeId}
   * so both report the same words.
   */
  static @Nullable String problem(String name) {
    if (name.isEmpty()) {
      return "a non-empty trust domain name";
    }
    if (name.length() > MAX_LENGTH) {
      return "at most " + MAX_LENGTH + " characters, found " + name.length();
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_') {
        continue;
      }
      if (c >= 'A' && c <= 'Z') {
        return "lower-case letters only, found '" + c + "' at index " + i;
      }
      if (c == ':') {
        return "no port, found ':' at index " + i;
      }
      if (c == '@') {
        return "no user info, found '@' at index " + i;
      }
      if (c == '%') {
        return "no percent-encoded characters, found '%' at index " + i;
      }
      return "only the characters a-z 0-9 . - _, found "
          + CaException.quote(String.valueOf(c))
          + " at index "
          + i;
    }
    return null;
  }

  /** The name, e.g. {@code mesh.example.org}. */
  public String name() {
    return name;
  }

  /** The trust domain's own SPIFFE ID, {@code spiffe://<name>}, with an empty path. */
  public SpiffeId spiffeId() {
    return SpiffeId.of(this, List.of());
  }

  /** A SPIFFE ID in this trust domain made of {@code segments} (each checked). */
  public SpiffeId id(String... segments) {
    return SpiffeId.of(this, List.of(segments));
  }

  @Override
  public int compareTo(TrustDomain o) {
    return name.compareTo(o.name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustDomain && ((TrustDomain) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** The name. */
  @Override
  public String toString() {
    return name;
  }
}
