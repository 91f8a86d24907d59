package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Raft traffic over mutual TLS: members with the cluster's CA work; others are refused. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsIT {
  @TempDir Path dir;

  @Test
  void clusterReplicatesOverMutualTlsAndRefusesAClientFromAnotherCa() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("certs"));
    TestCerts ca = TestCerts.newCa(certs, "cluster-ca");
    TestCerts rogueCa = TestCerts.newCa(certs, "rogue-ca");
    Map<String, RaftTls> tls = new HashMap<>();
    for (String id : new String[] {"n1", "n2", "n3"}) {
      tls.put(id, ca.issue(id));
    }
    RaftTls member1Tls = java.util.Objects.requireNonNull(tls.get("n1"));
    try (MiniCluster cluster =
        MiniCluster.start(3, dir.resolve("data"), b -> b.tls(tlsFor(b, tls)))) {
      StoreMember leader = cluster.leader();
      var put = leader.client().put(StoreClient.newRequestId(), b("/tls/k"), b("secret")).join();
      for (StoreMember m : cluster.others(leader)) {
        assertThat(m.client().get(b("/tls/k")).join().getKv().getValue()).isEqualTo(b("secret"));
      }
      assertThat(put.getRevision()).isPositive();

      try (StoreClient trusted =
          StoreClient.connect(cluster.peers(), "raftmesh", member1Tls, Duration.ofSeconds(10))) {
        assertThat(trusted.get(b("/tls/k")).join().getKv().getValue()).isEqualTo(b("secret"));
      }
      try (StoreClient rogue =
          StoreClient.connect(
              cluster.peers(), "raftmesh", rogueCa.issue("intruder"), Duration.ofSeconds(3))) {
        assertThatThrownBy(() -> rogue.put(StoreClient.newRequestId(), b("/tls/k"), b("x")).join())
            .hasCauseInstanceOf(StoreException.class);
      }
      try (StoreClient plaintext =
          StoreClient.connect(cluster.peers(), "raftmesh", null, Duration.ofSeconds(3))) {
        assertThatThrownBy(
                () -> plaintext.put(StoreClient.newRequestId(), b("/tls/k"), b("x")).join())
            .hasCauseInstanceOf(StoreException.class);
      }
      assertThat(leader.client().get(b("/tls/k")).join().getKv().getValue()).isEqualTo(b("secret"));
    }
  }

  /** Picks the member's own certificate from the builder's data dir name (n1, n2, n3). */
  private static RaftTls tlsFor(StoreConfig.Builder b, Map<String, RaftTls> tls) {
    String id = b.build().memberId();
    return java.util.Objects.requireNonNull(tls.get(id), id);
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
