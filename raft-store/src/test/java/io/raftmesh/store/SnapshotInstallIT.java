package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that missed entries the leader has purged installs the leader's checkpoint and ends
 * identical to it; snapshot retention keeps the number of checkpoints bounded.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SnapshotInstallIT {
  @TempDir Path dir;

  @Test
  void laggingFollowerInstallsSnapshotAndEndsIdenticalToLeader() throws Exception {
    try (MiniCluster cluster =
        MiniCluster.start(
            3,
            dir,
            b ->
                b.snapshotThreshold(100)
                    .snapshotsRetained(2)
                    .logSegmentBytes(128 * 1024)
                    .maxRequestBytes(64 * 1024)
                    .maxValueBytes(16 * 1024)
                    .purgeGap(1)
                    .purgeUpToSnapshot(true))) {
      StoreMember leader = cluster.leader();
      StoreClient client = leader.client();
      for (int i = 0; i < 50; i++) {
        client.put(StoreClient.newRequestId(), key(i), value(i, 0)).join();
      }
      String laggard = cluster.others(leader).get(0).id();
      long followerIndex = cluster.member(laggard).status().appliedIndex();
      cluster.stop(laggard);

      // Enough 1 KiB writes to fill and close several 128 KiB segments and take snapshots.
      for (int round = 1; round <= 6; round++) {
        for (int i = 0; i < 120; i++) {
          client.put(StoreClient.newRequestId(), key(i), value(i, round)).join();
        }
      }
      client.delete(StoreClient.newRequestId(), key(3)).join();
      long firstLogIndex = firstLogIndex(cluster.dataDir(leader.id()));
      assertThat(firstLogIndex)
          .as("the leader purged the entries the stopped follower needs")
          .isGreaterThan(followerIndex + 1);

      StoreMember back = cluster.restart(laggard);
      long revision = leader.status().revision();
      cluster.awaitRevision(revision, Duration.ofSeconds(60));

      assertThat(back.status().snapshotIndex()).isGreaterThan(followerIndex);
      MiniCluster.Dump expected = cluster.dump(leader.id());
      assertThat(cluster.dump(laggard)).isEqualTo(expected);
      assertThat(expected.kvs()).doesNotContainKey(key(3));
      // Writes continue to reach the reinstalled follower through its live store.
      var next = client.put(StoreClient.newRequestId(), key(3), value(3, 99)).join();
      cluster.awaitRevision(next.getRevision(), Duration.ofSeconds(20));
      assertThat(cluster.dump(laggard)).isEqualTo(cluster.dump(leader.id()));
      for (StoreMember m : cluster.members()) {
        assertThat(snapshotDirs(cluster.dataDir(m.id())))
            .as("snapshots kept on %s", m.id())
            .isBetween(1L, 2L);
      }
    }
  }

  private static ByteString key(int i) {
    return ByteString.copyFromUtf8("/snap/" + i);
  }

  private static ByteString value(int i, int round) {
    byte[] v = new byte[1024];
    java.util.Arrays.fill(v, (byte) ('a' + (i + round) % 26));
    return ByteString.copyFrom(v);
  }

  /** The lowest index of the Raft log segments on disk (log_N-M or log_inprogress_N). */
  static long firstLogIndex(Path dataDir) throws Exception {
    try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("log_"))
          .mapToLong(
              n -> {
                String rest = n.startsWith("log_inprogress_") ? n.substring(15) : n.substring(4);
                return Long.parseLong(rest.split("-")[0]);
              })
          .min()
          .orElse(Long.MAX_VALUE);
    }
  }

  static long snapshotDirs(Path dataDir) throws Exception {
    try (Stream<Path> files = Files.walk(dataDir.resolve("raft"), 3)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).count();
    }
  }
}
