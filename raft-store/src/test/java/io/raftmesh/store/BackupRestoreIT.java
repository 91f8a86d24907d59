package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.KeyValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A logical backup taken from a running cluster restores into a new cluster with its revisions. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BackupRestoreIT {
  @TempDir Path dir;

  @Test
  void backupAtOneRevisionRestoresIntoFreshClusterWithSameKeysAndRevisions() {
    List<KeyValue> backup = new ArrayList<>();
    long revision;
    MiniCluster.Dump original;
    try (MiniCluster source = MiniCluster.start(3, dir.resolve("source"))) {
      StoreClient client = source.leader().client();
      for (int i = 0; i < 1200; i++) {
        client.put(StoreClient.newRequestId(), b("/b/" + (i % 700)), b("v" + i)).join();
      }
      client.delete(StoreClient.newRequestId(), b("/b/5")).join();
      StoreMember follower = source.others(source.leader()).get(0);
      follower.client().get(b("/b/0")).join(); // linearizable: the follower has everything
      original = source.dump(follower.id());
      try (Backup b = follower.openBackup()) {
        revision = b.revision();
        // Writes during the backup are not part of it.
        client.put(StoreClient.newRequestId(), b("/b/during"), b("x")).join();
        b.forEachRemaining(backup::add);
      }
    }
    assertThat(revision).isEqualTo(1201);
    assertThat(backup).hasSize(699);

    MiniCluster.Dump restoredDump;
    try (MiniCluster restored =
        MiniCluster.startRestored(3, dir.resolve("restored"), revision, backup)) {
      StoreMember leader = restored.leader();
      restoredDump = restored.dump(leader.id());
      assertThat(restoredDump.kvs()).isEqualTo(original.kvs());
      assertThat(restoredDump.revision()).isEqualTo(revision);
      assertThat(leader.changesSince(revision - 1, 0)).isInstanceOf(ChangeBatch.Compacted.class);
      var next = leader.client().put(StoreClient.newRequestId(), b("/b/0"), b("new")).join();
      assertThat(next.getRevision()).isEqualTo(revision + 1);
      KeyValue kv = leader.client().get(b("/b/0")).join().getKv();
      assertThat(kv.getVersion())
          .isEqualTo(
              java.util.Objects.requireNonNull(original.kvs().get(b("/b/0"))).getVersion() + 1);
      restored.awaitRevision(revision + 1, Duration.ofSeconds(20));
      for (StoreMember m : restored.members()) {
        assertThat(restored.dump(m.id())).isEqualTo(restored.dump(leader.id()));
      }
    }
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
