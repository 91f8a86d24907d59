package io.raftmesh.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the fields of one YAML mapping, remembering its path so that every problem names it ({@code
 * services[1].health.interval}). Problems are collected, not thrown, so a user sees all of them at
 * once.
 */
final class Fields {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final String path;
  private final JsonNode node;
  private final List<String> problems;
  private final java.util.Map<String, String> labels;

  Fields(String path, JsonNode node, List<String> problems) {
    this(path, node, problems, java.util.Map.of());
  }

  /** {@code labels} name the source of values that came from flags or the environment. */
  Fields(String path, JsonNode node, List<String> problems, java.util.Map<String, String> labels) {
    this.path = path;
    this.node = node;
    this.problems = problems;
    this.labels = labels;
  }

  String path(String key) {
    String label = labels.get(key);
    if (label != null) {
      return label;
    }
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String fieldPath, @Nullable Object value, String expected) {
    String shown = value == null ? "missing" : quote(String.valueOf(value));
    problems.add(fieldPath + ": " + shown + " (expected: " + expected + ")");
  }

  static String quote(String value) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < value.length() && i < 200; i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append(value.length() > 200 ? "...\"" : "\"").toString();
  }

  /** Reports keys that are not in {@code known}: a typo should not be silently ignored. */
  void rejectUnknown(Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        problems.add(
            path(key)
                + ": unknown field (expected: one of "
                + String.join(", ", new java.util.TreeSet<>(known))
                + ")");
      }
    }
  }

  @Nullable JsonNode raw(String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  @Nullable String text(String key, @Nullable String fallback) {
    JsonNode v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isValueNode()) {
      problem(path(key), v.toString(), "a string");
      return fallback;
    }
    return v.asText();
  }

  String dnsLabel(String key, @Nullable String fallback, String what) {
    String v = text(key, fallback);
    if (v == null) {
      problem(path(key), null, what + ", a DNS label");
      return "invalid";
    }
    if (!DNS_LABEL.matcher(v).matches()) {
      problem(
          path(key), v, "a DNS label: 1-63 characters of a-z 0-9 -, not starting or ending with -");
      return "invalid";
    }
    return v;
  }

  int integer(String key, int fallback, int min, int max) {
    JsonNode v = raw(key);
    if (v == null) {
      return fallback;
    }
    long n;
    if (v.isIntegralNumber()) {
      n = v.asLong();
    } else if (v.isTextual() && v.asText().matches("-?\\d{1,10}")) {
      n = Long.parseLong(v.asText());
    } else {
      problem(path(key), v.asText(), "an integer " + min + ".." + max);
      return fallback;
    }
    if (n < min || n > max) {
      problem(path(key), n, "an integer " + min + ".." + max);
      return fallback;
    }
    return (int) n;
  }

  int requiredPort(String key) {
    if (raw(key) == null) {
      problem(path(key), null, "a port 1..65535");
      return 1;
    }
    return integer(key, 1, 1, 65535);
  }

  Duration duration(String key, Duration fallback, Duration min, Duration max) {
    String v = text(key, null);
    if (v == null) {
      return fallback;
    }
    Duration d;
    try {
      d = DurationText.parse(v);
    } catch (IllegalArgumentException e) {
      problem(path(key), v, "a duration with a unit, e.g. 10s, 500ms, 1m");
      return fallback;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(
          path(key),
          v,
          "a duration between " + DurationText.format(min) + " and " + DurationText.format(max));
      return fallback;
    }
    return d;
  }

  boolean bool(String key, boolean fallback) {
    JsonNode v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
      return Boolean.parseBoolean(v.asText());
    }
    problem(path(key), v.asText(), "true or false");
    return fallback;
  }

  /** The elements of a sequence, or of a comma-separated string (as flags and env give them). */
  List<JsonNode> list(String key) {
    JsonNode v = raw(key);
    List<JsonNode> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v.isArray()) {
      v.forEach(out::add);
    } else if (v.isTextual()) {
      for (String part : v.asText().split(",", -1)) {
        if (!part.isBlank()) {
          out.add(com.fasterxml.jackson.databind.node.TextNode.valueOf(part.trim()));
        }
      }
    } else {
      problem(path(key), v.toString(), "a list");
    }
    return out;
  }

  /** Fields of {@code node} at {@code childPath}, reporting into the same problem list. */
  Fields child(String childPath, JsonNode node) {
    return new Fields(childPath, node, problems);
  }

  /** A nested mapping, or null when absent (a non-mapping is reported). */
  @Nullable Fields object(String key) {
    JsonNode v = raw(key);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      problem(path(key), v.toString(), "a mapping");
      return null;
    }
    return new Fields(path(key), v, problems);
  }
}
