package io.raftmesh.chaos.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServiceSpec;
import org.junit.jupiter.api.Test;

class ProtoDeltasTest {

  private static Resource service(String name, String description, long modRevision) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("shop")
        .setName(name)
        .setMeta(
            ResourceMeta.newBuilder()
                .putLabels("team", "payments")
                .setModRevision(modRevision)
                .setCreateRevision(1)
                .setVersion(modRevision))
        .setService(ServiceSpec.newBuilder().setDescription(description))
        .build();
  }

  @Test
  void buildsStoreKeysFromTypeNamespaceAndName() {
    assertThat(ProtoDeltas.key(ResourceType.TRAFFIC_ROUTE, "shop", "checkout"))
        .isEqualTo("/traffic-route/shop/checkout");
    assertThat(ProtoDeltas.key(service("cart", "d", 3))).isEqualTo("/service/shop/cart");
    assertThatThrownBy(() -> ProtoDeltas.key(ResourceType.RESOURCE_TYPE_UNSPECIFIED, "a", "b"))
        .hasMessageContaining("expected: a concrete resource type");
  }

  @Test
  void fingerprintsContentButNotRevisions() {
    String v3 = ProtoDeltas.fingerprint(service("cart", "carts", 3));
    String v9 = ProtoDeltas.fingerprint(service("cart", "carts", 9));
    String other = ProtoDeltas.fingerprint(service("cart", "baskets", 9));

    assertThat(v3).isEqualTo(v9).hasSize(64);
    assertThat(other).isNotEqualTo(v3);
  }

  @Test
  void convertsAReceivedDelta() {
    io.raftmesh.proto.v1.Delta d =
        io.raftmesh.proto.v1.Delta.newBuilder()
            .setPreviousRevision(4)
            .setRevision(7)
            .addUpserts(service("cart", "carts", 6))
            .addRemovals(
                ResourceKey.newBuilder()
                    .setType(ResourceType.SERVICE)
                    .setNamespace("shop")
                    .setName("old"))
            .setServerId("n2")
            .build();

    Delta m = ProtoDeltas.fromProto(d);

    assertThat(m.range()).isEqualTo("(4, 7]");
    assertThat(m.reset()).isFalse();
    assertThat(m.upserts())
        .extracting(Upsert::key, Upsert::modRevision)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/service/shop/cart", 6L));
    assertThat(m.removals()).containsExactly("/service/shop/old");
    assertThat(m.serverId()).isEqualTo("n2");
  }
}
