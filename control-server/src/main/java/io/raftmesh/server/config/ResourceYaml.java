package io.raftmesh.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The YAML form of resources, as people write them:
 *
 * <pre>
 * kind: TrafficRoute
 * metadata:
 *   name: checkout
 *   namespace: shop        # "default" when omitted ("system" for MeshConfig)
 *   labels: {team: payments}
 * spec:
 *   destination: checkout
 *   routes: [...]
 * </pre>
 *
 * Several documents may share one file, separated by {@code ---}. Spec fields are the proto3 JSON
 * names (snake_case also accepted), durations carry units ({@code 500ms}, {@code 1h30m}), enum
 * values are case-insensitive and accept '-' for '_' ({@code round-robin}). Errors name the
 * document and field path: {@code document 2 (TrafficRoute shop/checkout): spec.routes[0].splt:
 * unknown field (expected one of: name, matches, split, timeout, retry, fault)}.
 */
public final class ResourceYaml {

  private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA =
      Set.of(
          "name", "namespace", "labels", "annotations", "createRevision", "modRevision", "version");
  private static final String API_VERSION = "raftmesh.io/v1";
  private static final String DEFAULT_NAMESPACE = "default";

  private static final ObjectMapper MAPPER = new YAMLMapper();
  private static final ObjectMapper WRITER =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  private ResourceYaml() {}

  /**
   * Parses every document of {@code yaml} into resources; empty documents are skipped.
   *
   * @throws InvalidResourceException listing every problem of every document
   */
  public static List<Resource> parse(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    Violations v = new Violations();
    try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    } catch (JsonProcessingException e) {
      v.add("yaml", "not valid YAML: " + e.getOriginalMessage() + location(e));
      v.throwIfAny();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Resource> out = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      fromDocument(docs.get(i), "document " + (i + 1), v).ifPresent(out::add);
    }
    v.throwIfAny();
    return out;
  }

  /** Renders resources as a multi-document YAML stream (the form {@link #parse} reads). */
  public static String print(List<Resource> resources) {
    StringBuilder sb = new StringBuilder();
    for (Resource r : resources) {
      if (sb.length() > 0) {
        sb.append("---\n");
      }
      try {
        sb.append(WRITER.writeValueAsString(toDocument(r)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(
            "cannot render " + ResourceKeys.describe(ResourceKeys.keyOf(r)), e);
      }
    }
    return sb.toString();
  }

  /** One resource as the document tree {@link #print} writes (also used for JSON output). */
  public static ObjectNode toDocument(Resource r) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    ResourceKind kind = ResourceKind.ofSpec(r.getSpecCase()).orElseThrow();
    doc.put("apiVersion", API_VERSION);
    doc.put("kind", kind.kind());
    ObjectNode meta = doc.putObject("metadata");
    meta.put("name", r.getName());
    meta.put("namespace", r.getNamespace());
    if (r.getMeta().getLabelsCount() > 0) {
      ObjectNode labels = meta.putObject("labels");
      r.getMeta().getLabelsMap().forEach(labels::put);
    }
    if (r.getMeta().getAnnotationsCount() > 0) {
      ObjectNode annotations = meta.putObject("annotations");
      r.getMeta().getAnnotationsMap().forEach(annotations::put);
    }
    if (r.getMeta().getModRevision() > 0) {
      meta.put("createRevision", r.getMeta().getCreateRevision());
      meta.put("modRevision", r.getMeta().getModRevision());
      meta.put("version", r.getMeta().getVersion());
    }
    Message spec =
        (Message)
            r.getField(Resource.getDescriptor().findFieldByNumber(r.getSpecCase().getNumber()));
    try {
      doc.set("spec", MAPPER.readTree(JsonFormat.printer().print(spec)));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot render spec of " + r.getName(), e);
    }
    return doc;
  }

  private static Optional<Resource> fromDocument(JsonNode doc, String where, Violations v) {
    if (!doc.isObject()) {
      v.add(
          where,
          "a "
              + doc.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + " (expected: a mapping with kind, metadata and spec)");
      return Optional.empty();
    }
    int before = v.list().size();
    for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TOP_LEVEL.contains(f)) {
        v.add(
            where + ": " + f,
            "unknown field (expected one of: "
                + String.join(", ", List.of("apiVersion", "kind", "metadata", "spec"))
                + ")");
      }
    }
    JsonNode apiVersion = doc.get("apiVersion");
    if (apiVersion != null && !API_VERSION.equals(apiVersion.asText())) {
      v.bad(where + ": apiVersion", apiVersion.asText(), API_VERSION);
    }
    JsonNode kindNode = doc.get("kind");
    Optional<ResourceKind> kind = Optional.empty();
    if (kindNode == null || !kindNode.isTextual()) {
      v.add(
          where + ": kind",
          "missing (expected: one of MeshConfig, Service, TrafficRoute, DestinationPolicy, AuthorizationPolicy)");
    } else {
      kind = ResourceKind.parse(kindNode.asText());
      if (kind.isEmpty()) {
        v.bad(
            where + ": kind",
            kindNode.asText(),
            "one of MeshConfig, Service, Endpoint, TrafficRoute, DestinationPolicy, AuthorizationPolicy, Node");
      }
    }
    Resource.Builder b = Resource.newBuilder();
    JsonNode meta = doc.get("metadata");
    String defaultNamespace =
        kind.filter(k -> k == ResourceKind.MESH_CONFIG).isPresent()
            ? ResourceValidator.SYSTEM_NAMESPACE
            : DEFAULT_NAMESPACE;
    b.setNamespace(defaultNamespace);
    if (meta == null || !meta.isObject()) {
      v.add(where + ": metadata", "missing (expected: a mapping with at least a name)");
    } else {
      metadata(meta, b, where, v);
    }
    String label =
        where
            + kind.map(k -> " (" + k.kind() + " " + b.getNamespace() + "/" + b.getName() + ")")
                .orElse("");
    JsonNode spec = doc.get("spec");
    if (kind.isPresent()) {
      b.setType(kind.get().type());
      FieldDescriptor specField =
          Resource.getDescriptor().findFieldByNumber(kind.get().specCase().getNumber());
      Message.Builder specBuilder = b.newBuilderForField(specField);
      if (spec == null || spec.isNull()) {
        v.add(label + ": spec", "missing (expected: a mapping)");
      } else {
        ProtoTree.merge(spec, specBuilder, label + ": spec", v);
      }
      b.setField(specField, specBuilder.build());
    }
    return v.list().size() == before ? Optional.of(b.build()) : Optional.empty();
  }

  private static void metadata(JsonNode meta, Resource.Builder b, String where, Violations v) {
    ResourceMeta.Builder m = ResourceMeta.newBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = where + ": metadata." + e.getKey();
      JsonNode value = e.getValue();
      switch (e.getKey()) {
        case "name" -> b.setName(textOf(value, at, v));
        case "namespace" -> b.setNamespace(textOf(value, at, v));
        case "labels" -> stringMap(value, at, v).forEach(m::putLabels);
        case "annotations" -> stringMap(value, at, v).forEach(m::putAnnotations);
        case "createRevision" -> m.setCreateRevision(value.asLong());
        case "modRevision" -> m.setModRevision(value.asLong());
        case "version" -> m.setVersion(value.asLong());
        default ->
            v.add(
                at,
                "unknown field (expected one of: "
                    + String.join(", ", METADATA.stream().sorted().toList())
                    + ")");
      }
    }
    if (b.getName().isEmpty()) {
      v.add(where + ": metadata.name", "missing (expected: the resource's name)");
    }
    b.setMeta(m);
  }

  private static String textOf(JsonNode node, String at, Violations v) {
    if (!node.isValueNode() || node.isNull()) {
      v.add(
          at,
          "a "
              + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + " (expected: a string)");
      return "";
    }
    return node.asText();
  }

  private static Map<String, String> stringMap(JsonNode node, String at, Violations v) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    if (!node.isObject()) {
      v.add(at, "not a mapping (expected: key: value pairs)");
      return out;
    }
    node.fields()
        .forEachRemaining(e -> out.put(e.getKey(), textOf(e.getValue(), at + "." + e.getKey(), v)));
    return out;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}
