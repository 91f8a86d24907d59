package io.raftmesh.ca.identity;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain>/<path>}, valid by construction under the SPIFFE-ID
 * specification (section 2): scheme {@code spiffe} in lower case; a valid {@link TrustDomain}; no
 * user info, port, query or fragment; path segments non-empty, not {@code .} or {@code ..}, made of
 * {@code [a-zA-Z0-9._-]}; no trailing slash, no percent-encoding; at most 2,048 characters in all.
 * The path may be empty (a trust domain's own ID); leaf certificates need a non-empty one.
 *
 * <p>Equality is exact string equality: the spec's restrictions leave a single spelling per ID.
 */
public final class SpiffeId implements Comparable<SpiffeId> {
  /** The longest SPIFFE ID, in characters (all ASCII), that the spec requires support for. */
  public static final int MAX_LENGTH = 2048;

  private static final String PREFIX = "spiffe://";

  private final TrustDomain trustDomain;
  private final List<String> segments;
  private final String text;

  private SpiffeId(TrustDomain trustDomain, List<String> segments, String text) {
    this.trustDomain = trustDomain;
    this.segments = segments;
    this.text = text;
  }

  /**
   * Parses a SPIFFE ID.
   *
   * @throws InvalidSpiffeIdException naming the rule {@code text} breaks
   */
  public static SpiffeId parse(String text) {
    requireNonNull(text, "text");
    if (text.length() > MAX_LENGTH) {
      throw invalid(text, "at most " + MAX_LENGTH + " characters, found " + text.length());
    }
    if (!text.startsWith(PREFIX)) {
      if (text.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
        throw invalid(text, "the scheme in lower case, spiffe://");
      }
      int colon = text.indexOf(':');
      return failScheme(text, colon);
    }
    int query = text.indexOf('?');
    if (query >= 0) {
      throw invalid(text, "no query, found '?' at index " + query);
    }
    int fragment = text.indexOf('#');
    if (fragment >= 0) {
      throw invalid(text, "no fragment, found '#' at index " + fragment);
    }
    int slash = text.indexOf('/', PREFIX.length());
    String authority =
        slash < 0 ? text.substring(PREFIX.length()) : text.substring(PREFIX.length(), slash);
    if (authority.isEmpty()) {
      throw invalid(text, "a trust domain after spiffe://");
    }
    String tdProblem = TrustDomain.problem(authority);
    if (tdProblem != null) {
      throw invalid(text, "trust domain with " + tdProblem);
    }
    TrustDomain td = TrustDomain.parse(authority);
    List<String> segments = new ArrayList<>();
    if (slash >= 0) {
      String path = text.substring(slash + 1);
      int start = 0;
      while (true) {
        int next = path.indexOf('/', start);
        String segment = next < 0 ? path.substring(start) : path.substring(start, next);
        String problem = segmentProblem(segment);
        if (problem != null) {
          throw invalid(text, problem);
        }
        segments.add(segment);
        if (next < 0) {
          break;
        }
        start = next + 1;
      }
    }
    return new SpiffeId(td, List.copyOf(segments), text);
  }

  /**
   * A SPIFFE ID in {@code trustDomain} made of {@code segments}, each checked.
   *
   * @throws InvalidSpiffeIdException naming the first bad segment, or when the ID is too long
   */
  public static SpiffeId of(TrustDomain trustDomain, List<String> segments) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(segments, "segments");
    StringBuilder text = new StringBuilder(PREFIX).append(trustDomain.name());
    for (String segment : segments) {
      requireNonNull(segment, "segment");
      String problem = segmentProblem(segment);
      if (problem != null) {
        throw new InvalidSpiffeIdException(
            "spiffe id path segment: "
                + CaException.quote(segment)
                + " (expected: "
                + problem
                + ")");
      }
      text.append('/').append(segment);
    }
    if (text.length() > MAX_LENGTH) {
      throw invalid(
          text.toString(), "at most " + MAX_LENGTH + " characters, found " + text.length());
    }
    return new SpiffeId(trustDomain, List.copyOf(segments), text.toString());
  }

  /**
   * The SPIFFE ID of an X.509-SVID: its single URI subject alternative name (X509-SVID spec,
   * sections 2 and 5.2).
   *
   * @throws InvalidSpiffeIdException when the certificate has no URI SAN, more than one, or an
   *     invalid one
   */
  public static SpiffeId fromCertificate(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    List<String> uris = uriSans(certificate);
    String subject = certificate.getSubjectX500Principal().getName();
    if (uris.isEmpty()) {
      throw new InvalidSpiffeIdException(
          "certificate "
              + CaException.quote(subject)
              + ": no URI subject alternative name (expected: exactly one, the SPIFFE ID)");
    }
    if (uris.size() > 1) {
      throw new InvalidSpiffeIdException(
          "certificate "
              + CaException.quote(subject)
              + ": "
              + uris.size()
              + " URI subject alternative names (expected: exactly one, the SPIFFE ID)");
    }
    return parse(uris.get(0));
  }

  private static List<String> uriSans(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new InvalidSpiffeIdException(
          "certificate: unreadable subject alternative names (expected: a valid SAN extension): "
              + e.getMessage());
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        // Entry 0 is the GeneralName tag; 6 is uniformResourceIdentifier.
        if (name.size() >= 2 && Integer.valueOf(6).equals(name.get(0))) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    return uris;
  }

  private static @Nullable String segmentProblem(String segment) {
    if (segment.isEmpty()) {
      return "no empty path segments (no \"//\", no trailing \"/\")";
    }
    if (segment.equals(".") || segment.equals("..")) {
      return "no relative path segments (\".\" or \"..\")";
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-'
          || c == '_') {
        continue;
      }
      if (c == '%') {
        return "no percent-encoded characters in the path";
      }
      return "path characters a-z A-Z 0-9 . - _ only, found "
          + CaException.quote(String.valueOf(c));
    }
    return null;
  }

  private static SpiffeId failScheme(String text, int colon) {
    if (text.isEmpty()) {
      throw invalid(text, "spiffe://<trust-domain>/<path>, found an empty string");
    }
    if (colon > 0 && text.substring(0, colon).equals("spiffe")) {
      throw invalid(text, "\"//\" and a trust domain after \"spiffe:\"");
    }
    throw invalid(text, "scheme spiffe://");
  }

  private static InvalidSpiffeIdException invalid(String text, String expected) {
    return new InvalidSpiffeIdException(
        "spiffe id: " + CaException.quote(text) + " (expected: " + expected + ")");
  }

  /** The trust domain. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The path segments, in order (empty for a trust domain's own ID). */
  public List<String> segments() {
    return segments;
  }

  /** The path, {@code ""} or {@code /a/b}. */
  public String path() {
    return text.substring(PREFIX.length() + trustDomain.name().length());
  }

  /** Whether this is a trust domain's own ID ({@code spiffe://td}, no path). */
  public boolean isTrustDomainId() {
    return segments.isEmpty();
  }

  /** This ID as a {@link URI}. */
  public URI toUri() {
    return URI.create(text);
  }

  @Override
  public int compareTo(SpiffeId o) {
    return text.compareTo(o.text);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpiffeId && ((SpiffeId) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The ID, e.g. {@code spiffe://mesh.example.org/ns/shop/sa/cart}. */
  @Override
  public String toString() {
    return text;
  }
}
