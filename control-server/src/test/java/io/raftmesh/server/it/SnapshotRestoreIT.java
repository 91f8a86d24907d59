package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.key;
import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc.ConfigServiceBlockingStub;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.GetResponse;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.cli.RaftmeshMain;
import io.raftmesh.server.runtime.ServerConfig;
import io.raftmesh.server.testing.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaster recovery as an operator does it with the CLI: {@code snapshot save} from a running
 * cluster, the cluster lost, {@code snapshot restore} into every server's empty data dir, the
 * servers started again: everything acknowledged before the backup is back, with its revisions.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SnapshotRestoreIT {
  @TempDir Path dir;
  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  record Cli(int code, String out, String err) {}

  static Cli cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = RaftmeshMain.run(args, Map.of(), new PrintWriter(out), new PrintWriter(err));
    return new Cli(code, out.toString(), err.toString());
  }

  ConfigServiceBlockingStub config(String id) {
    return ConfigServiceGrpc.newBlockingStub(cluster.admin(id))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  GetResponse get(String id, String name) {
    return config(id)
        .get(GetRequest.newBuilder().setKey(key(ResourceType.SERVICE, "dr", name)).build());
  }

  @Test
  void aClusterRestoredFromABackupServesEveryWriteAcknowledgedBeforeIt() throws Exception {
    cluster = TestCluster.start(dir.resolve("c"), 3);
    List<String> ids = cluster.runningIds();
    long kept =
        config(cluster.leader())
            .apply(ApplyRequest.newBuilder().addResources(service("dr", "kept")).build())
            .getRevision();
    Path backup = dir.resolve("mesh.snapshot");
    String servers = ids.stream().map(cluster::target).collect(Collectors.joining(","));
    String admin = cluster.pki().adminTls().toString();

    Cli saved =
        cli("snapshot", "save", backup.toString(), "--servers", servers, "--tls-dir", admin);
    assertThat(saved.code()).as(saved.err()).isZero();
    assertThat(saved.out()).contains("snapshot saved to " + backup);
    Cli verified = cli("snapshot", "verify", backup.toString());
    assertThat(verified.code()).as(verified.err()).isZero();
    assertThat(verified.out()).contains("is intact");

    // Written after the backup: a restore goes back to the backup's point in time.
    config(cluster.leader())
        .apply(ApplyRequest.newBuilder().addResources(service("dr", "after")).build());

    // A running server's data dir is refused, and left as it was.
    ServerConfig n1 = cluster.config(ids.get(0));
    Cli busy = restore(backup, n1);
    assertThat(busy.code()).isEqualTo(2);
    assertThat(busy.err()).contains("is not empty");
    assertThat(get(ids.get(0), "after").getResource().getName()).isEqualTo("after");

    for (String id : ids) {
      cluster.stop(id);
      deleteTree(cluster.config(id).dataDir());
    }
    for (String id : ids) {
      Cli restored = restore(backup, cluster.config(id));
      assertThat(restored.code()).as(restored.err()).isZero();
      assertThat(restored.out()).contains("member " + id);
    }
    for (String id : ids) {
      cluster.startServer(id);
    }
    cluster.awaitLeader();

    for (String id : ids) {
      GetResponse got = get(id, "kept");
      assertThat(got.getResource().getMeta().getModRevision()).isEqualTo(kept);
      assertThatThrownBy(() -> get(id, "after"))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
    long next =
        config(cluster.leader())
            .apply(ApplyRequest.newBuilder().addResources(service("dr", "new")).build())
            .getRevision();
    assertThat(next).isGreaterThan(kept);
  }

  @Test
  void restoreExplainsAMissingOrDamagedFile() throws Exception {
    Path missing = dir.resolve("nope.snapshot");
    Cli absent =
        cli(
            "snapshot",
            "restore",
            missing.toString(),
            "--id",
            "n1",
            "--peers",
            "n1=127.0.0.1:9000",
            "--data-dir",
            dir.resolve("d").toString(),
            "--cluster-id",
            "x");
    assertThat(absent.code()).isEqualTo(2);
    assertThat(absent.err()).contains("nope.snapshot").contains("not found");

    Path junk = dir.resolve("junk.snapshot");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5});
    Cli damaged =
        cli(
            "snapshot",
            "restore",
            junk.toString(),
            "--id",
            "n1",
            "--peers",
            "n1=127.0.0.1:9000",
            "--data-dir",
            dir.resolve("d").toString(),
            "--cluster-id",
            "x");
    assertThat(damaged.code()).isNotZero();
    assertThat(damaged.err()).contains("backup");
    assertThat(dir.resolve("d")).doesNotExist();
  }

  private static Cli restore(Path backup, ServerConfig c) {
    String peers =
        c.peers().entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
    return cli(
        "snapshot",
        "restore",
        backup.toString(),
        "--id",
        c.id(),
        "--peers",
        peers,
        "--data-dir",
        c.dataDir().toString(),
        "--tls-dir",
        c.tlsDir().toString());
  }

  private static void deleteTree(Path root) throws Exception {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(paths::add);
    }
    for (Path p : paths) {
      Files.delete(p);
    }
  }
}
