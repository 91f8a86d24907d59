package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting a member: FORMAT then RECOVER on its own, and clear refusals. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StartupIT {
  @TempDir Path dir;

  private StoreConfig config(String member, String cluster, int port) {
    return MiniCluster.testDefaults(
            StoreConfig.builder(member, Map.of(member, "127.0.0.1:" + port), dir.resolve("data")))
        .clusterId(cluster)
        .build();
  }

  @Test
  void formatsOnFirstStartAndRecoversAfterwards() {
    StoreConfig c = config("n1", "raftmesh", MiniCluster.freePort());
    try (StoreMember m = StoreMember.start(c)) {
      awaitLeader(m);
      m.client().put(StoreClient.newRequestId(), b("/k"), b("v")).join();
    }
    try (StoreMember m = StoreMember.start(c)) {
      awaitLeader(m);
      assertThat(m.client().get(b("/k")).join().getKv().getValue()).isEqualTo(b("v"));
    }
  }

  @Test
  void listenerAddedAfterElectionHearsThatThisMemberLeads() throws Exception {
    // A server adds its listeners after its member started; an election in between must not
    // leave leader-only jobs stopped until the next change of leader.
    try (StoreMember m = StoreMember.start(config("n1", "raftmesh", MiniCluster.freePort()))) {
      awaitLeader(m);
      CompletableFuture<Long> ready = new CompletableFuture<>();
      CompletableFuture<String> leader = new CompletableFuture<>();
      m.addLeadershipListener(
          new LeadershipListener() {
            @Override
            public void onLeaderChanged(String leaderId, long term) {
              leader.complete(leaderId);
            }

            @Override
            public void onLeaderReady(long term) {
              ready.complete(term);
            }
          });

      assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo("n1");
      assertThat(ready.get(10, TimeUnit.SECONDS)).isEqualTo(m.status().term());
    }
  }

  @Test
  void refusesDataDirOfAnotherCluster() {
    int port = MiniCluster.freePort();
    StoreMember.start(config("n1", "alpha", port)).close();

    assertThatThrownBy(() -> StoreMember.start(config("n1", "beta", port)))
        .isInstanceOf(StoreStartException.class)
        .hasMessageContaining("member n1: data dir")
        .hasMessageContaining("belongs to cluster alpha")
        .hasMessageContaining("not cluster beta");
  }

  @Test
  void refusesDataDirOfAnotherMember() {
    int port = MiniCluster.freePort();
    StoreMember.start(config("n1", "alpha", port)).close();

    assertThatThrownBy(() -> StoreMember.start(config("n2", "alpha", port)))
        .isInstanceOf(StoreStartException.class)
        .hasMessageContaining("belongs to member n1");
  }

  @Test
  void busyPortGivesClearError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      StoreConfig c = config("n1", "raftmesh", taken.getLocalPort());

      assertThatThrownBy(() -> StoreMember.start(c))
          .isInstanceOf(StoreStartException.class)
          .hasMessageContaining(
              "member n1: cannot listen on 127.0.0.1:"
                  + taken.getLocalPort()
                  + ": address already in use");
    }
    // The failed start left the data dir usable.
    try (StoreMember m = StoreMember.start(config("n1", "raftmesh", MiniCluster.freePort()))) {
      awaitLeader(m);
    }
  }

  private static void awaitLeader(StoreMember m) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!m.status().leaderReady() && System.nanoTime() < deadline) {
      MiniCluster.sleep(10);
    }
    assertThat(m.status().leaderReady()).isTrue();
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
