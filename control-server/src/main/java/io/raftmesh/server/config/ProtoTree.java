package io.raftmesh.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import java.text.ParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Fills a protobuf builder from a YAML/JSON tree, guided by the message descriptor, and reports
 * every mismatch with its field path (unknown fields, wrong types, out-of-range numbers, two
 * members of one oneof). Durations are written with units, enums by name.
 */
final class ProtoTree {

  private ProtoTree() {}

  static void merge(JsonNode node, Message.Builder builder, String at, Violations v) {
    Descriptor d = builder.getDescriptorForType();
    if (!node.isObject()) {
      v.add(at, kindOf(node) + " (expected: a mapping for " + d.getName() + ")");
      return;
    }
    Map<OneofDescriptor, String> oneofSeen = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      String fat = at + "." + name;
      FieldDescriptor f = find(d, name);
      if (f == null) {
        v.add(fat, "unknown field (expected one of: " + String.join(", ", fieldNames(d)) + ")");
        continue;
      }
      JsonNode value = e.getValue();
      if (value.isNull()) {
        continue;
      }
      OneofDescriptor oneof = f.getRealContainingOneof();
      if (oneof != null) {
        String prior = oneofSeen.putIfAbsent(oneof, f.getJsonName());
        if (prior != null) {
          v.add(
              fat,
              "set together with "
                  + prior
                  + " (expected: only one of "
                  + String.join(
                      ", ", oneof.getFields().stream().map(FieldDescriptor::getJsonName).toList())
                  + ")");
          continue;
        }
      }
      if (f.isMapField()) {
        mapField(value, builder, f, fat, v);
      } else if (f.isRepeated()) {
        if (!value.isArray()) {
          v.add(fat, kindOf(value) + " (expected: a list)");
          continue;
        }
        for (int i = 0; i < value.size(); i++) {
          Object item = single(value.get(i), builder, f, fat + "[" + i + "]", v);
          if (item != null) {
            builder.addRepeatedField(f, item);
          }
        }
      } else {
        Object item = single(value, builder, f, fat, v);
        if (item != null) {
          builder.setField(f, item);
        }
      }
    }
  }

  private static void mapField(
      JsonNode value, Message.Builder builder, FieldDescriptor f, String at, Violations v) {
    if (!value.isObject()) {
      v.add(at, kindOf(value) + " (expected: a mapping)");
      return;
    }
    FieldDescriptor keyField = f.getMessageType().findFieldByName("key");
    FieldDescriptor valueField = f.getMessageType().findFieldByName("value");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Message.Builder entry = builder.newBuilderForField(f);
      entry.setField(keyField, e.getKey());
      Object item = single(e.getValue(), entry, valueField, at + "." + e.getKey(), v);
      if (item != null) {
        entry.setField(valueField, item);
        builder.addRepeatedField(f, entry.build());
      }
    }
  }

  private static @Nullable Object single(
      JsonNode value, Message.Builder parent, FieldDescriptor f, String at, Violations v) {
    switch (f.getJavaType()) {
      case MESSAGE -> {
        Descriptor type = f.getMessageType();
        if (type.equals(Duration.getDescriptor())) {
          return duration(value, at, v);
        }
        if (type.equals(Timestamp.getDescriptor())) {
          return timestamp(value, at, v);
        }
        Message.Builder child = parent.newBuilderForField(f);
        merge(value, child, at, v);
        return child.build();
      }
      case STRING -> {
        if (!value.isValueNode()) {
          v.add(at, kindOf(value) + " (expected: a string)");
          return null;
        }
        return value.asText();
      }
      case BOOLEAN -> {
        if (!value.isBoolean()) {
          v.add(at, kindOf(value) + " " + value + " (expected: true or false)");
          return null;
        }
        return value.booleanValue();
      }
      case INT, LONG -> {
        return integer(value, f, at, v);
      }
      case FLOAT, DOUBLE -> {
        if (!value.isNumber()) {
          v.add(at, kindOf(value) + " " + value + " (expected: a number)");
          return null;
        }
        return f.getJavaType() == FieldDescriptor.JavaType.FLOAT
            ? (Object) value.floatValue()
            : (Object) value.doubleValue();
      }
      case ENUM -> {
        return enumValue(value, f.getEnumType(), at, v);
      }
      case BYTE_STRING -> {
        try {
          return ByteString.copyFrom(Base64.getDecoder().decode(value.asText()));
        } catch (IllegalArgumentException e) {
          v.add(at, "not base64 (expected: base64-encoded bytes)");
          return null;
        }
      }
    }
    return null;
  }

  private static @Nullable Object integer(
      JsonNode value, FieldDescriptor f, String at, Violations v) {
    if (!value.isIntegralNumber()) {
      v.add(at, kindOf(value) + " " + value + " (expected: a whole number)");
      return null;
    }
    boolean unsigned =
        f.getType() == FieldDescriptor.Type.UINT32
            || f.getType() == FieldDescriptor.Type.UINT64
            || f.getType() == FieldDescriptor.Type.FIXED32
            || f.getType() == FieldDescriptor.Type.FIXED64;
    boolean is32 = f.getJavaType() == FieldDescriptor.JavaType.INT;
    if (!value.canConvertToLong()) {
      v.bad(at, value.asText(), "a whole number in range");
      return null;
    }
    long n = value.longValue();
    long min = unsigned ? 0 : (is32 ? Integer.MIN_VALUE : Long.MIN_VALUE);
    long max = is32 ? (unsigned ? 0xFFFF_FFFFL : Integer.MAX_VALUE) : Long.MAX_VALUE;
    if (n < min || n > max) {
      v.bad(at, n, min + ".." + max);
      return null;
    }
    return is32 ? (Object) (int) n : (Object) n;
  }

  private static @Nullable Object enumValue(
      JsonNode value, EnumDescriptor type, String at, Violations v) {
    List<String> allowed =
        type.getValues().stream()
            .filter(x -> x.getNumber() != 0)
            .map(EnumValueDescriptor::getName)
            .toList();
    if (!value.isTextual()) {
      v.add(
          at,
          kindOf(value) + " " + value + " (expected: one of " + String.join(", ", allowed) + ")");
      return null;
    }
    String want = value.asText().trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (EnumValueDescriptor e : type.getValues()) {
      if (e.getName().equals(want)) {
        return e;
      }
    }
    v.bad(at, value.asText(), "one of " + String.join(", ", allowed));
    return null;
  }

  private static @Nullable Object duration(JsonNode value, String at, Violations v) {
    java.time.Duration d;
    try {
      if (value.isNumber()) {
        v.add(
            at,
            value
                + " without a unit (expected: a duration with a unit, such as 500ms, 30s, 1h30m)");
        return null;
      }
      d = DurationText.parse(value.asText());
    } catch (IllegalArgumentException | ArithmeticException e) {
      v.add(at, e.getMessage() == null ? "invalid duration" : e.getMessage());
      return null;
    }
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  private static @Nullable Object timestamp(JsonNode value, String at, Violations v) {
    try {
      return Timestamps.parse(value.asText());
    } catch (ParseException e) {
      v.bad(at, value.asText(), "an RFC 3339 time such as 2026-11-27T10:00:00Z");
      return null;
    }
  }

  private static @Nullable FieldDescriptor find(Descriptor d, String name) {
    for (FieldDescriptor f : d.getFields()) {
      if (f.getJsonName().equals(name) || f.getName().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static List<String> fieldNames(Descriptor d) {
    return d.getFields().stream().map(FieldDescriptor::getJsonName).toList();
  }

  private static String kindOf(JsonNode node) {
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
