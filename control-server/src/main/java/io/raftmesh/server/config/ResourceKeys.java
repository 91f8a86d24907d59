package io.raftmesh.server.config;

import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Encodes resource keys as store keys: {@code /<segment>/<namespace>/<name>}, e.g. {@code
 * /traffic-route/shop/checkout}. Names and namespaces never contain '/', so a key prefix selects a
 * type, or a type and namespace, exactly.
 */
public final class ResourceKeys {

  /** Every resource key starts with this; reserved server records use other prefixes. */
  private static final String ROOT = "/";

  private ResourceKeys() {}

  /** The store key of a resource key. */
  public static byte[] storeKey(ResourceKey key) {
    ResourceKind kind = ResourceKind.of(key.getType()).orElseThrow(() -> unspecified(key));
    return (ROOT + kind.segment() + "/" + key.getNamespace() + "/" + key.getName())
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The store key of a resource. */
  public static byte[] storeKey(Resource resource) {
    return storeKey(keyOf(resource));
  }

  /** The key of a resource. */
  public static ResourceKey keyOf(Resource resource) {
    return ResourceKey.newBuilder()
        .setType(resource.getType())
        .setNamespace(resource.getNamespace())
        .setName(resource.getName())
        .build();
  }

  /** The prefix of all keys of one kind ({@code /service/}). */
  public static byte[] prefix(ResourceKind kind) {
    return (ROOT + kind.segment() + "/").getBytes(StandardCharsets.UTF_8);
  }

  /** The prefix of all keys of one kind in one namespace ({@code /service/shop/}). */
  public static byte[] prefix(ResourceKind kind, String namespace) {
    return (ROOT + kind.segment() + "/" + namespace + "/").getBytes(StandardCharsets.UTF_8);
  }

  /** The prefix of every resource key of every kind ({@code /}). */
  public static byte[] allResources() {
    return ROOT.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Decodes a store key back into a resource key; empty for keys that are not resource keys
   * (reserved records such as {@code /_ca/issuer}).
   */
  public static Optional<ResourceKey> parse(byte[] storeKey) {
    String s = new String(storeKey, StandardCharsets.UTF_8);
    if (!s.startsWith(ROOT)) {
      return Optional.empty();
    }
    String[] parts = s.substring(1).split("/", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    for (ResourceKind kind : ResourceKind.values()) {
      if (kind.segment().equals(parts[0])) {
        return Optional.of(
            ResourceKey.newBuilder()
                .setType(kind.type())
                .setNamespace(parts[1])
                .setName(parts[2])
                .build());
      }
    }
    return Optional.empty();
  }

  /** A printable form, {@code TrafficRoute shop/checkout}. */
  public static String describe(ResourceKey key) {
    String kind = ResourceKind.of(key.getType()).map(ResourceKind::kind).orElse("?");
    return kind + " " + key.getNamespace() + "/" + key.getName();
  }

  private static IllegalArgumentException unspecified(ResourceKey key) {
    return new IllegalArgumentException(
        "type: " + key.getType() + " (expected: one of the resource types)");
  }
}
