package io.raftmesh.chaos.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/** Builds the JSON values that operations carry. */
public final class Values {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Values() {}

  /** A string value, or a JSON null for {@code null} (an absent register). */
  public static JsonNode text(@Nullable String s) {
    return s == null ? NullNode.getInstance() : NODES.textNode(s);
  }

  /** A number. */
  public static JsonNode number(long n) {
    return NODES.numberNode(n);
  }

  /** A two-element array, as a compare-and-set's {@code [expected, new]}. */
  public static JsonNode pair(@Nullable String first, @Nullable String second) {
    ArrayNode a = NODES.arrayNode();
    a.add(text(first));
    a.add(text(second));
    return a;
  }

  /** An array of strings, as a set read's elements. */
  public static JsonNode list(Collection<String> items) {
    ArrayNode a = NODES.arrayNode();
    items.forEach(a::add);
    return a;
  }

  /** An empty object to fill in. */
  public static ObjectNode object() {
    return NODES.objectNode();
  }

  /** The text of a value, or {@code null} for a missing or JSON-null value. */
  public static @Nullable String textOrNull(@Nullable JsonNode v) {
    return v == null || v.isNull() ? null : v.asText();
  }
}
