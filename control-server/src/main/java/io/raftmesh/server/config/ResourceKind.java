package io.raftmesh.server.config;

import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The names one resource type goes by: its {@link ResourceType}, the {@code kind} people write in
 * YAML, the key segment in the store, and the {@link Resource} spec case that holds its body.
 */
public enum ResourceKind {
  MESH_CONFIG(ResourceType.MESH_CONFIG, "MeshConfig", "mesh-config", Resource.SpecCase.MESH_CONFIG),
  SERVICE(ResourceType.SERVICE, "Service", "service", Resource.SpecCase.SERVICE),
  ENDPOINT(ResourceType.ENDPOINT, "Endpoint", "endpoint", Resource.SpecCase.ENDPOINT),
  TRAFFIC_ROUTE(
      ResourceType.TRAFFIC_ROUTE, "TrafficRoute", "traffic-route", Resource.SpecCase.TRAFFIC_ROUTE),
  DESTINATION_POLICY(
      ResourceType.DESTINATION_POLICY,
      "DestinationPolicy",
      "destination-policy",
      Resource.SpecCase.DESTINATION_POLICY),
  AUTHORIZATION_POLICY(
      ResourceType.AUTHORIZATION_POLICY,
      "AuthorizationPolicy",
      "authorization-policy",
      Resource.SpecCase.AUTHORIZATION_POLICY),
  NODE(ResourceType.NODE, "Node", "node", Resource.SpecCase.NODE);

  private final ResourceType type;
  private final String kind;
  private final String segment;
  private final Resource.SpecCase specCase;

  ResourceKind(ResourceType type, String kind, String segment, Resource.SpecCase specCase) {
    this.type = type;
    this.kind = kind;
    this.segment = segment;
    this.specCase = specCase;
  }

  /** The proto enum value. */
  public ResourceType type() {
    return type;
  }

  /** The YAML {@code kind}, e.g. {@code TrafficRoute}. */
  public String kind() {
    return kind;
  }

  /** The store key segment, e.g. {@code traffic-route}. */
  public String segment() {
    return segment;
  }

  /** The spec case of {@link Resource} that carries this type's body. */
  public Resource.SpecCase specCase() {
    return specCase;
  }

  /** Whether people may write this type through ConfigService (endpoints and nodes are not). */
  public boolean writableByAdmins() {
    return this != ENDPOINT && this != NODE;
  }

  /** The kind for a proto type; empty for UNSPECIFIED and unknown values. */
  public static Optional<ResourceKind> of(ResourceType type) {
    return Arrays.stream(values()).filter(k -> k.type == type).findFirst();
  }

  /** The kind of a resource's spec; empty when no spec is set. */
  public static Optional<ResourceKind> ofSpec(Resource.SpecCase specCase) {
    return Arrays.stream(values()).filter(k -> k.specCase == specCase).findFirst();
  }

  /**
   * Parses what a person types for a type: the YAML kind ({@code TrafficRoute}), the key segment
   * ({@code traffic-route}), the enum name ({@code TRAFFIC_ROUTE}), or a plural or lower-case
   * variant ({@code trafficroutes}, {@code routes} is not accepted).
   */
  public static Optional<ResourceKind> parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    for (ResourceKind k : values()) {
      String plain = k.segment.replace("-", "");
      if (t.equals(plain) || t.equals(plain + "s") || t.equals(plain + "es")) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
