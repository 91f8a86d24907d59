package io.raftmesh.server.cli;

import io.raftmesh.server.admin.BackupStream;
import io.raftmesh.server.tls.TlsDir;
import io.raftmesh.store.StoreConfig;
import io.raftmesh.store.StoreRestore;
import io.raftmesh.store.StoreStartException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh snapshot restore FILE}: writes a backup into a server's empty data dir, offline.
 * Every member of the new cluster is restored from the same file, then started with the usual
 * {@code raftmesh server} flags: their Raft logs start empty and agree, and the store resumes at
 * the backup's revision (agents resuming from a later revision get a reset).
 */
@Command(
    name = "restore",
    description = {
      "Restore a backup into an empty data dir, before that server first starts.",
      "Restore every server of the new cluster from the same file, then start them."
    },
    mixinStandardHelpOptions = true)
final class SnapshotRestore implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The backup to restore.")
  Path file = Path.of("raftmesh.snapshot");

  @Option(names = "--id", required = true, description = "The server's member id (as for server).")
  String id = "";

  @Option(
      names = "--peers",
      required = true,
      description = "Every member's ID=HOST:PORT Raft address, as for `raftmesh server`.")
  String peers = "";

  @Option(
      names = "--data-dir",
      required = true,
      description = "The server's data dir; must be empty or absent.")
  Path dataDir = Path.of("");

  @Option(
      names = "--tls-dir",
      description = "The server's TLS dir: names the cluster by its trust domain, as the server.")
  @Nullable Path tlsDir;

  @Option(
      names = "--cluster-id",
      description = "The Raft group's name, when the servers run with --cluster-id.")
  @Nullable String clusterId;

  @Override
  public Integer call() throws Exception {
    String cluster = clusterId();
    Map<String, String> peerMap = ServerCommand.peers(peers, id);
    BackupStream.Parsed backup = SnapshotCommand.read(file);
    StoreConfig config = StoreConfig.builder(id, peerMap, dataDir).clusterId(cluster).build();
    long keys;
    try {
      keys =
          StoreRestore.restore(config, backup.header().getRevision(), backup.entries().iterator());
    } catch (StoreStartException e) {
      throw new UsageException(String.valueOf(e.getMessage()));
    }
    PrintWriter w = spec.commandLine().getOut();
    w.printf(
        "restored %s into %s: member %s of cluster %s, revision %d, %d keys%n",
        file, dataDir, id, cluster, backup.header().getRevision(), keys);
    w.flush();
    return 0;
  }

  private String clusterId() {
    if (clusterId != null && tlsDir != null) {
      throw new UsageException("--cluster-id and --tls-dir: give one (expected: not both)");
    }
    if (clusterId != null) {
      return clusterId;
    }
    if (tlsDir == null) {
      throw new UsageException(
          "--tls-dir or --cluster-id is required (expected: the server's TLS dir, whose trust"
              + " domain names the cluster, or the --cluster-id the servers run with)");
    }
    return TlsDir.read(tlsDir).spiffeId().trustDomain().name();
  }
}
