package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.StoreResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Killing the leader in the middle of a stream of writes loses no acknowledged write. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FailoverIT {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesLeaderKillAndWritesResume() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      StoreMember oldLeader = cluster.leader();
      StoreMember writerHome = cluster.others(oldLeader).get(0);
      StoreClient client = writerHome.client();
      Map<String, Long> acked = new ConcurrentHashMap<>();
      AtomicInteger ackedAfterKill = new AtomicInteger();
      AtomicInteger unknownOutcomes = new AtomicInteger();
      var killed = new java.util.concurrent.atomic.AtomicBoolean();
      int writers = 4;
      int perWriter = 120;
      Thread[] threads = new Thread[writers];
      for (int w = 0; w < writers; w++) {
        int writer = w;
        threads[w] =
            new Thread(
                () -> {
                  for (int i = 0; i < perWriter; i++) {
                    String key = "/failover/" + writer + "/" + i;
                    String requestId = StoreClient.newRequestId();
                    // Retry with the same request id: the store applies it at most once.
                    for (int attempt = 0; attempt < 10; attempt++) {
                      try {
                        StoreResult r =
                            client
                                .put(
                                    requestId,
                                    ByteString.copyFromUtf8(key),
                                    ByteString.copyFromUtf8(key))
                                .join();
                        acked.put(key, r.getRevision());
                        if (killed.get()) {
                          ackedAfterKill.incrementAndGet();
                        }
                        break;
                      } catch (RuntimeException e) {
                        unknownOutcomes.incrementAndGet();
                      }
                    }
                  }
                },
                "writer-" + w);
        threads[w].start();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acked.size() < writers * perWriter / 3 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      cluster.kill(oldLeader.id());
      killed.set(true);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(120));
      }

      StoreMember newLeader = cluster.leader();
      assertThat(newLeader.id()).isNotEqualTo(oldLeader.id());
      assertThat(ackedAfterKill.get()).as("writes acknowledged under the new leader").isPositive();
      assertThat(acked).hasSize(writers * perWriter);
      long maxRevision = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      cluster.awaitRevision(maxRevision, java.time.Duration.ofSeconds(20));
      for (StoreMember m : cluster.members()) {
        MiniCluster.Dump dump = cluster.dump(m.id());
        for (Map.Entry<String, Long> e : acked.entrySet()) {
          var kv =
              java.util.Objects.requireNonNull(
                  dump.kvs().get(ByteString.copyFromUtf8(e.getKey())),
                  e.getKey() + " missing on " + m.id());
          assertThat(kv.getVersion()).as("applied once: %s", e.getKey()).isEqualTo(1);
          assertThat(kv.getModRevision()).isEqualTo(e.getValue());
        }
      }
      // The old leader comes back, catches up and agrees.
      cluster.restart(oldLeader.id());
      cluster.awaitRevision(maxRevision, java.time.Duration.ofSeconds(30));
      assertThat(cluster.dump(oldLeader.id()).kvs()).isEqualTo(cluster.dump(newLeader.id()).kvs());
    }
  }
}
