package io.raftmesh.agent.subscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import org.junit.jupiter.api.Test;

class MeshViewTest {
  private static Resource service(String name) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("shop")
        .setName(name)
        .build();
  }

  private static ResourceKey key(String name) {
    return ResourceKey.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("shop")
        .setName(name)
        .build();
  }

  @Test
  void appliesUpsertsAndRemovalsInOrder() throws Exception {
    MeshView v =
        MeshView.empty()
            .apply(
                Delta.newBuilder()
                    .setPreviousRevision(0)
                    .setRevision(3)
                    .addUpserts(service("a"))
                    .addUpserts(service("b"))
                    .build())
            .apply(
                Delta.newBuilder()
                    .setPreviousRevision(3)
                    .setRevision(5)
                    .addRemovals(key("a"))
                    .addUpserts(service("c"))
                    .build());
    assertThat(v.revision()).isEqualTo(5);
    assertThat(v.resources()).extracting(Resource::getName).containsExactly("b", "c");
    assertThat(v.get("/service/shop/b")).isNotNull();
    assertThat(v.ofType(ResourceType.ENDPOINT)).isEmpty();
  }

  @Test
  void refusesADeltaThatDoesNotStartAtTheHeldRevision() throws Exception {
    MeshView v =
        MeshView.empty().apply(Delta.newBuilder().setRevision(4).addUpserts(service("a")).build());
    assertThatThrownBy(
            () -> v.apply(Delta.newBuilder().setPreviousRevision(5).setRevision(6).build()))
        .isInstanceOf(DeltaSequenceException.class)
        .hasMessageContaining("does not start at the held revision 4");
    assertThatThrownBy(
            () -> v.apply(Delta.newBuilder().setPreviousRevision(3).setRevision(4).build()))
        .isInstanceOf(DeltaSequenceException.class);
  }

  @Test
  void resetReplacesEverythingButNeverGoesBackwards() throws Exception {
    MeshView v =
        MeshView.empty().apply(Delta.newBuilder().setRevision(10).addUpserts(service("a")).build());
    MeshView reset =
        v.apply(Delta.newBuilder().setReset(true).setRevision(12).addUpserts(service("z")).build());
    assertThat(reset.resources()).extracting(Resource::getName).containsExactly("z");
    assertThat(reset.revision()).isEqualTo(12);
    assertThatThrownBy(() -> v.apply(Delta.newBuilder().setReset(true).setRevision(9).build()))
        .isInstanceOf(DeltaSequenceException.class)
        .hasMessageContaining("never go backwards");
  }
}
