package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.KeyChange;
import io.raftmesh.proto.v1.StoreResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change log answers changesSince exactly, says Compacted below the floor, and feeds watches.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChangeLogIT {
  @TempDir Path dir;

  @Test
  void changesSinceReturnsExactlyTheLaterChangesOrCompacted() throws Exception {
    try (MiniCluster cluster =
        MiniCluster.start(3, dir, b -> b.changeLogRetention(100, Duration.ZERO))) {
      StoreMember leader = cluster.leader();
      StoreClient client = leader.client();
      long start =
          client.put(StoreClient.newRequestId(), b("/cl/first"), b("0")).join().getRevision();
      for (int i = 1; i <= 20; i++) {
        client.put(StoreClient.newRequestId(), b("/cl/k" + i), b("v" + i)).join();
      }
      client.delete(StoreClient.newRequestId(), b("/cl/k5")).join();
      long end = start + 21;
      cluster.awaitRevision(end, Duration.ofSeconds(20));

      for (StoreMember m : cluster.members()) {
        for (long after : new long[] {start, start + 7, end - 1, end}) {
          ChangeBatch.Changes c = (ChangeBatch.Changes) m.changesSince(after, 0);
          assertThat(c.records())
              .extracting(ChangeRecord::getRevision)
              .containsExactlyElementsOf(range(after + 1, end));
        }
        ChangeBatch.Changes last = (ChangeBatch.Changes) m.changesSince(end - 1, 0);
        KeyChange delete = last.records().get(0).getChanges(0);
        assertThat(delete.getKind()).isEqualTo(KeyChange.Kind.DELETE);
        assertThat(delete.getKv().getKey()).isEqualTo(b("/cl/k5"));
        ChangeBatch.Changes paged = (ChangeBatch.Changes) m.changesSince(start, 5);
        assertThat(paged.records()).hasSize(5);
        assertThat(paged.more()).isTrue();
      }

      // Retention by count: 100 revisions (plus a small slack) are kept.
      for (int i = 0; i < 200; i++) {
        client.put(StoreClient.newRequestId(), b("/cl/bulk"), b("v" + i)).join();
      }
      MemberStatus s = leader.status();
      assertThat(s.compactRevision())
          .isGreaterThan(start)
          .isGreaterThanOrEqualTo(s.revision() - 100 - 64);
      assertThat(leader.changesSince(start, 0))
          .isEqualTo(new ChangeBatch.Compacted(s.compactRevision(), s.revision()));

      // Explicit compaction.
      long now = client.get(b("/cl/bulk")).join().getRevision();
      client.compact(StoreClient.newRequestId(), now - 3).join();
      for (StoreMember m : cluster.members()) {
        // The compaction writes no revision: wait for the floor itself.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (m.status().compactRevision() < now - 3 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(m.changesSince(now - 4, 0)).isInstanceOf(ChangeBatch.Compacted.class);
        assertThat(((ChangeBatch.Changes) m.changesSince(now - 3, 0)).records()).hasSize(3);
      }
    }
  }

  @Test
  void watchSeesEveryRevisionInOrderWithoutGapAcrossLeaderChange() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      StoreMember leader = cluster.leader();
      StoreMember watched = cluster.others(leader).get(0);
      long from =
          watched
              .client()
              .put(StoreClient.newRequestId(), b("/w/start"), b("s"))
              .join()
              .getRevision();
      List<ChangeRecord> seen = new CopyOnWriteArrayList<>();
      AtomicReference<Object> ended = new AtomicReference<>();
      Watch watch =
          watched.watch(
              from,
              new WatchListener() {
                @Override
                public void onChange(ChangeRecord record) {
                  seen.add(record);
                }

                @Override
                public void onCompacted(long compactRevision, long revision) {
                  ended.set("compacted at " + compactRevision);
                }

                @Override
                public void onError(Throwable error) {
                  ended.set(error);
                }
              });
      long last = from;
      for (int i = 0; i < 150; i++) {
        if (i == 60) {
          cluster.kill(leader.id());
        }
        StoreResult r = putWithRetry(watched.client(), "/w/" + i, "v" + i);
        last = Math.max(last, r.getRevision());
      }
      assertThat(cluster.leader().id()).isNotEqualTo(leader.id());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while ((seen.isEmpty() || seen.get(seen.size() - 1).getRevision() < last)
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      watch.close();

      assertThat(ended.get()).isNull();
      assertThat(seen)
          .extracting(ChangeRecord::getRevision)
          .containsExactlyElementsOf(range(from + 1, last));
      assertThat(seen)
          .allSatisfy(
              r -> assertThat(r.getChanges(0).getKv().getKey().toStringUtf8()).startsWith("/w/"));
    }
  }

  @Test
  void watchBelowFloorGetsCompacted() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(1, dir)) {
      StoreClient client = cluster.leader().client();
      for (int i = 0; i < 10; i++) {
        client.put(StoreClient.newRequestId(), b("/wc/" + i), b("v")).join();
      }
      long revision = client.get(b("/wc/0")).join().getRevision();
      client.compact(StoreClient.newRequestId(), revision - 2).join();
      AtomicReference<Long> floor = new AtomicReference<>();
      cluster
          .member("n1")
          .watch(
              1,
              new WatchListener() {
                @Override
                public void onChange(ChangeRecord record) {
                  floor.set(-1L);
                }

                @Override
                public void onCompacted(long compactRevision, long rev) {
                  floor.set(compactRevision);
                }
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (floor.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(floor.get()).isEqualTo(revision - 2);
    }
  }

  private static StoreResult putWithRetry(StoreClient client, String key, String value) {
    String id = StoreClient.newRequestId();
    RuntimeException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        return client.put(id, b(key), b(value)).join();
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw last;
  }

  private static List<Long> range(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
