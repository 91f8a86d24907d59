package io.raftmesh.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects validation failures, each a field path with the offending value and the rule it broke,
 * read as {@code spec.routes[2].split[0].weight: 140 (expected: 0..100)}.
 */
public final class Violations {

  /** One failure: where, and what was wrong. */
  public record Violation(String field, String description) {
    @Override
    public String toString() {
      return field + ": " + description;
    }
  }

  private final List<Violation> items = new ArrayList<>();

  /** Records that {@code field} holds {@code value}, which breaks {@code expected}. */
  public void bad(String field, Object value, String expected) {
    items.add(new Violation(field, quote(value) + " (expected: " + expected + ")"));
  }

  /** Records a failure described in full by {@code description}. */
  public void add(String field, String description) {
    items.add(new Violation(field, description));
  }

  /** Whether nothing failed. */
  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** The failures in the order found. */
  public List<Violation> list() {
    return List.copyOf(items);
  }

  /** All failures on one line each. */
  public String message() {
    StringBuilder sb = new StringBuilder();
    for (Violation v : items) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(v);
    }
    return sb.toString();
  }

  /** Throws {@link InvalidResourceException} when anything failed. */
  public void throwIfAny() {
    if (!items.isEmpty()) {
      throw new InvalidResourceException(list());
    }
  }

  private static String quote(Object value) {
    if (value instanceof String s) {
      return s.isEmpty() ? "\"\" (empty)" : "\"" + s + "\"";
    }
    return String.valueOf(value);
  }
}
