package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Adding and removing members, transferring leadership, and the leadership events. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MembershipIT {
  @TempDir Path dir;

  @Test
  void addedMemberCatchesUpAndRemovedMemberLeaves() {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      StoreMember leader = cluster.leader();
      for (int i = 0; i < 20; i++) {
        leader.client().put(StoreClient.newRequestId(), b("/m/" + i), b("v" + i)).join();
      }
      StoreMember joiner = cluster.startJoining("n4");
      leader.membership().addMember("n4", joiner.config().address()).join();

      assertThat(leader.status().members()).extracting(PeerStatus::id).contains("n4").hasSize(4);
      var w = leader.client().put(StoreClient.newRequestId(), b("/m/after"), b("x")).join();
      cluster.awaitRevision(w.getRevision(), Duration.ofSeconds(30));
      assertThat(cluster.dump("n4")).isEqualTo(cluster.dump(leader.id()));
      // The new member serves linearizable reads too.
      assertThat(joiner.client().get(b("/m/after")).join().getKv().getValue()).isEqualTo(b("x"));

      leader.membership().removeMember("n4").join();
      await(() -> leader.status().members().size() == 3, "n4 removed");
      assertThat(leader.status().members()).extracting(PeerStatus::id).doesNotContain("n4");
      leader.client().put(StoreClient.newRequestId(), b("/m/without-n4"), b("y")).join();
    }
  }

  @Test
  void transferLeadershipMovesLeaderAndFiresReadyAndNotLeader() {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      StoreMember leader = cluster.leader();
      StoreMember target = cluster.others(leader).get(0);
      List<String> oldLeaderEvents = new CopyOnWriteArrayList<>();
      List<String> targetEvents = new CopyOnWriteArrayList<>();
      leader.addLeadershipListener(recorder(oldLeaderEvents));
      target.addLeadershipListener(recorder(targetEvents));

      leader.membership().transferLeadership(target.id(), Duration.ofSeconds(10)).join();

      await(() -> target.status().leaderReady(), "target leads");
      await(() -> targetEvents.stream().anyMatch(e -> e.startsWith("ready")), "ready event");
      await(() -> oldLeaderEvents.contains("not-leader"), "not-leader event");
      assertThat(oldLeaderEvents).contains("leader " + target.id());
      target.client().put(StoreClient.newRequestId(), b("/t/k"), b("v")).join();
    }
  }

  @Test
  void lostMajorityIsSignalledAsNoLeaderThenRecovery() {
    try (MiniCluster cluster = MiniCluster.start(3, dir)) {
      StoreMember leader = cluster.leader();
      StoreMember survivor = cluster.others(leader).get(0);
      String other = cluster.others(leader).get(1).id();
      List<String> events = new CopyOnWriteArrayList<>();
      survivor.addLeadershipListener(recorder(events));

      cluster.kill(leader.id());
      cluster.kill(other);
      await(() -> events.stream().anyMatch(e -> e.startsWith("no-leader")), "no-leader event");
      assertThat(survivor.status().leaderId()).isEmpty();

      cluster.restart(other);
      await(
          () ->
              events.stream()
                  .skip(events.indexOf(noLeader(events)))
                  .anyMatch(e -> e.startsWith("leader ")),
          "leader again");
      cluster.leader().client().put(StoreClient.newRequestId(), b("/q/k"), b("v")).join();
    }
  }

  private static String noLeader(List<String> events) {
    return events.stream().filter(e -> e.startsWith("no-leader")).findFirst().orElseThrow();
  }

  private static LeadershipListener recorder(List<String> events) {
    return new LeadershipListener() {
      @Override
      public void onLeaderChanged(String leaderId, long term) {
        events.add("leader " + leaderId);
      }

      @Override
      public void onLeaderReady(long term) {
        events.add("ready " + term);
      }

      @Override
      public void onNotLeader() {
        events.add("not-leader");
      }

      @Override
      public void onNoLeader(Duration elapsed) {
        events.add("no-leader " + elapsed.toMillis());
      }
    };
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      MiniCluster.sleep(10);
    }
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
