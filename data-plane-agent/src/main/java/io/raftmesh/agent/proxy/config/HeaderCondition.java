package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * A condition on one request header.
 *
 * @param name the header name (matched case-insensitively)
 * @param kind how the value is compared
 * @param value the value to compare with; empty for {@link Kind#PRESENT} and {@link Kind#ABSENT}
 */
public record HeaderCondition(AsciiString name, Kind kind, String value) {

  /** How a header condition compares. */
  public enum Kind {
    /** The value equals {@link #value()}. */
    EXACT,
    /** The value starts with {@link #value()}. */
    PREFIX,
    /** The header is present. */
    PRESENT,
    /** The header is absent. */
    ABSENT
  }

  /** Requires all parts. */
  public HeaderCondition {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(value, "value");
  }

  /** Whether {@code headers} satisfy the condition. */
  public boolean test(HttpHeaders headers) {
    switch (kind) {
      case PRESENT:
        return headers.contains(name);
      case ABSENT:
        return !headers.contains(name);
      case EXACT:
        {
          String v = headers.get(name);
          return v != null && v.equals(value);
        }
      default:
        {
          String v = headers.get(name);
          return v != null && v.startsWith(value);
        }
    }
  }
}
