package io.raftmesh.server.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.KeyChange;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.server.config.ResourceKeys;
import io.raftmesh.server.config.StoredResources;
import org.junit.jupiter.api.Test;

class PendingChangesTest {

  private static Resource service(String name, int port) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("shop")
        .setName(name)
        .setService(
            ServiceSpec.newBuilder().addPorts(ServicePort.newBuilder().setName("p").setPort(port)))
        .build();
  }

  private static KeyChange put(Resource r, long createRevision, long revision, long version) {
    return KeyChange.newBuilder()
        .setKind(KeyChange.Kind.PUT)
        .setKv(
            KeyValue.newBuilder()
                .setKey(ByteString.copyFrom(ResourceKeys.storeKey(r)))
                .setValue(StoredResources.value(r))
                .setCreateRevision(createRevision)
                .setModRevision(revision)
                .setVersion(version))
        .build();
  }

  private static KeyChange delete(Resource r, long revision) {
    return KeyChange.newBuilder()
        .setKind(KeyChange.Kind.DELETE)
        .setKv(
            KeyValue.newBuilder()
                .setKey(ByteString.copyFrom(ResourceKeys.storeKey(r)))
                .setModRevision(revision))
        .build();
  }

  private static ChangeRecord record(long revision, KeyChange... changes) {
    ChangeRecord.Builder b = ChangeRecord.newBuilder().setRevision(revision);
    for (KeyChange c : changes) {
      b.addChanges(c);
    }
    return b.build();
  }

  @Test
  void foldsSeveralRevisionsToTheNewestStatePerKey() {
    PendingChanges pending = new PendingChanges(10, k -> true);
    Resource a1 = service("a", 1);
    Resource a2 = service("a", 2);
    Resource b = service("b", 3);

    pending.add(record(11, put(a1, 11, 11, 1)));
    pending.add(record(12, put(b, 12, 12, 1), put(a2, 11, 12, 2)));
    pending.add(record(13, delete(b, 13)));
    Delta d = pending.drain("n1");

    assertThat(d.getPreviousRevision()).isEqualTo(10);
    assertThat(d.getRevision()).isEqualTo(13);
    assertThat(d.getServerId()).isEqualTo("n1");
    assertThat(d.getUpsertsList()).hasSize(1);
    Resource upserted = d.getUpserts(0);
    assertThat(upserted.getService().getPorts(0).getPort()).isEqualTo(2);
    assertThat(upserted.getMeta().getModRevision()).isEqualTo(12);
    assertThat(upserted.getMeta().getCreateRevision()).isEqualTo(11);
    assertThat(upserted.getMeta().getVersion()).isEqualTo(2);
    assertThat(d.getRemovalsList())
        .containsExactly(
            ResourceKey.newBuilder()
                .setType(ResourceType.SERVICE)
                .setNamespace("shop")
                .setName("b")
                .build());
  }

  @Test
  void nextDeltaStartsWhereTheLastEnded() {
    PendingChanges pending = new PendingChanges(0, k -> true);
    pending.add(record(1, put(service("a", 1), 1, 1, 1)));
    pending.drain("n1");

    pending.add(record(2, put(service("a", 5), 1, 2, 2)));
    Delta second = pending.drain("n1");

    assertThat(second.getPreviousRevision()).isEqualTo(1);
    assertThat(second.getRevision()).isEqualTo(2);
    assertThat(pending.hasChanges()).isFalse();
  }

  @Test
  void invisibleKeysAdvanceCoverageWithoutChanges() {
    PendingChanges pending = new PendingChanges(5, k -> k.getType() != ResourceType.SERVICE);

    pending.add(record(6, put(service("a", 1), 6, 6, 1)));

    assertThat(pending.hasChanges()).isFalse();
    assertThat(pending.covered()).isEqualTo(6);
    Delta d = pending.drain("n1");
    assertThat(d.getUpsertsList()).isEmpty();
    assertThat(d.getRevision()).isEqualTo(6);
  }

  @Test
  void refusesARecordThatRepeatsOrGoesBack() {
    PendingChanges pending = new PendingChanges(5, k -> true);
    pending.add(record(7, put(service("a", 1), 7, 7, 1)));

    assertThatThrownBy(() -> pending.add(record(7)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("revision 7 after covered 7");
  }

  @Test
  void reservedKeysNeverReachSubscribers() {
    PendingChanges pending = new PendingChanges(0, k -> true);
    KeyChange token =
        KeyChange.newBuilder()
            .setKind(KeyChange.Kind.PUT)
            .setKv(
                KeyValue.newBuilder()
                    .setKey(ByteString.copyFromUtf8("/_tokens/abc"))
                    .setModRevision(1))
            .build();

    pending.add(record(1, token));

    assertThat(pending.hasChanges()).isFalse();
  }
}
