package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.ChangeRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A whole-cluster restart keeps state, revisions and change log, and applies nothing twice. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RestartIT {
  @TempDir Path dir;

  @Test
  void wholeClusterRestartKeepsEverythingAndReplaysNothingTwice() {
    // A snapshot midway, so the restart replays from a snapshot older than the live DB.
    try (MiniCluster cluster = MiniCluster.start(3, dir, b -> b.snapshotThreshold(50))) {
      StoreClient client = cluster.leader().client();
      for (int i = 0; i < 30; i++) {
        client
            .put(StoreClient.newRequestId(), key(i % 30), ByteString.copyFromUtf8("v" + i))
            .join();
      }
      cluster.awaitRevision(30, Duration.ofSeconds(20));
      for (StoreMember m : cluster.members()) {
        assertThat(m.takeSnapshot().join()).isPositive();
      }
      for (int i = 30; i < 60; i++) {
        client
            .put(StoreClient.newRequestId(), key(i % 30), ByteString.copyFromUtf8("v" + i))
            .join();
      }
      long revision = client.get(key(0)).join().getRevision();
      assertThat(revision).isEqualTo(60);
      cluster.awaitRevision(revision, Duration.ofSeconds(20));
      Map<String, MiniCluster.Dump> before = new HashMap<>();
      Map<String, List<ChangeRecord>> changesBefore = new HashMap<>();
      for (StoreMember m : cluster.members()) {
        before.put(m.id(), cluster.dump(m.id()));
        changesBefore.put(m.id(), changes(m));
      }

      for (String id : List.of("n1", "n2", "n3")) {
        cluster.stop(id);
      }
      for (String id : List.of("n1", "n2", "n3")) {
        cluster.restart(id);
      }
      StoreMember leader = cluster.leader();
      long commit = leader.status().commitIndex();
      for (StoreMember m : cluster.members()) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (m.status().appliedIndex() < commit && System.nanoTime() < deadline) {
          MiniCluster.sleep(10);
        }
        assertThat(cluster.dump(m.id())).isEqualTo(before.get(m.id()));
        assertThat(changes(m)).isEqualTo(changesBefore.get(m.id()));
        assertThat(m.stateMachine().appliedCount())
            .as("entries applied by %s after restart (none replayed twice)", m.id())
            .isZero();
        assertThat(m.stateMachine().skippedCount())
            .as("replayed entries %s skipped: the 30 written after its snapshot", m.id())
            .isEqualTo(30);
      }

      var next =
          leader
              .client()
              .put(StoreClient.newRequestId(), key(0), ByteString.copyFromUtf8("after"))
              .join();
      assertThat(next.getRevision()).isEqualTo(revision + 1);
      cluster.awaitRevision(revision + 1, Duration.ofSeconds(20));
      for (StoreMember m : cluster.members()) {
        assertThat(m.stateMachine().appliedCount()).isEqualTo(1);
      }
    }
  }

  private static ByteString key(int i) {
    return ByteString.copyFromUtf8("/restart/" + i);
  }

  private static List<ChangeRecord> changes(StoreMember m) {
    List<ChangeRecord> all = new ArrayList<>();
    long after = 0;
    for (int page = 0; page < 100; page++) {
      ChangeBatch batch = m.changesSince(after, 50);
      assertThat(batch).isInstanceOf(ChangeBatch.Changes.class);
      ChangeBatch.Changes c = (ChangeBatch.Changes) batch;
      all.addAll(c.records());
      if (!c.more()) {
        break;
      }
      after = c.records().get(c.records().size() - 1).getRevision();
    }
    return all;
  }
}
