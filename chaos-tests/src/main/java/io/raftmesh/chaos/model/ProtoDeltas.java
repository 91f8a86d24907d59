package io.raftmesh.chaos.model;

import com.google.protobuf.CodedOutputStream;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Converts {@code raftmesh.v1} messages into the checker's model: resource keys as the store writes
 * them ({@code /<type>/<namespace>/<name>}), and resource values as fingerprints that ignore the
 * server-set revisions, so the same content written twice compares equal.
 */
public final class ProtoDeltas {
  private ProtoDeltas() {}

  /** {@code /traffic-route/shop/checkout} for a TRAFFIC_ROUTE named checkout in shop. */
  public static String key(ResourceType type, String namespace, String name) {
    if (type == ResourceType.RESOURCE_TYPE_UNSPECIFIED || type == ResourceType.UNRECOGNIZED) {
      throw new IllegalArgumentException("type: " + type + " (expected: a concrete resource type)");
    }
    return "/"
        + type.name().toLowerCase(Locale.ROOT).replace('_', '-')
        + "/"
        + namespace
        + "/"
        + name;
  }

  /** The store key of a resource key. */
  public static String key(ResourceKey k) {
    return key(k.getType(), k.getNamespace(), k.getName());
  }

  /** The store key of a resource. */
  public static String key(Resource r) {
    return key(r.getType(), r.getNamespace(), r.getName());
  }

  /**
   * SHA-256 (hex) of the resource's deterministic encoding with create/mod revision and version
   * cleared: equal for equal content, whatever revision it was written at.
   */
  public static String fingerprint(Resource r) {
    Resource content =
        r.toBuilder()
            .setMeta(
                r.getMeta().toBuilder().clearCreateRevision().clearModRevision().clearVersion())
            .build();
    byte[] bytes = new byte[content.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      content.writeTo(out);
      out.checkNoSpaceLeft();
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode resource " + key(r), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The resource as an upsert: its key, fingerprint and mod revision. */
  public static Upsert upsert(Resource r) {
    return new Upsert(key(r), fingerprint(r), r.getMeta().getModRevision());
  }

  /** A received {@code raftmesh.v1.Delta} in the checker's model. */
  public static Delta fromProto(io.raftmesh.proto.v1.Delta d) {
    List<Upsert> upserts = new ArrayList<>(d.getUpsertsCount());
    for (Resource r : d.getUpsertsList()) {
      upserts.add(upsert(r));
    }
    List<String> removals = new ArrayList<>(d.getRemovalsCount());
    for (ResourceKey k : d.getRemovalsList()) {
      removals.add(key(k));
    }
    return new Delta(
        d.getPreviousRevision(),
        d.getRevision(),
        d.getReset(),
        upserts,
        removals,
        d.getServerId().isEmpty() ? null : d.getServerId());
  }
}
