package io.raftmesh.store;

import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.store.rocks.RocksStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Restores a logical backup (see {@link Backup}) into a fresh data dir, offline, before the member
 * first starts. The restored store holds every key with its original revisions and versions, the
 * store revision of the backup, and an empty change log whose floor is that revision (watchers
 * resuming from an older revision get "compacted" and re-read everything).
 *
 * <p>As with etcd's snapshot restore, restore every member of the new cluster from the same backup,
 * then start them: their Raft logs start empty and agree. A member added later must be restored
 * from the same backup too, unless the log has been purged past its start (it then receives a
 * snapshot, which replaces whatever it holds).
 */
public final class StoreRestore {
  private StoreRestore() {}

  /**
   * Writes the backup into {@code config.dataDir()}, which must be empty or absent.
   *
   * @return the number of keys restored
   * @throws StoreStartException when the data dir is not empty or cannot be written
   */
  public static long restore(StoreConfig config, long revision, Iterator<KeyValue> kvs) {
    if (revision < 1) {
      throw new IllegalArgumentException("revision: " + revision + " (expected: at least 1)");
    }
    Path root = config.dataDir();
    try {
      if (Files.exists(root)) {
        try (Stream<Path> entries = Files.list(root)) {
          if (entries.findAny().isPresent()) {
            throw new StoreStartException(
                "restore member "
                    + config.memberId()
                    + ": data dir "
                    + root
                    + " is not empty (expected: an empty or absent dir)");
          }
        }
      }
      DataDir dir = new DataDir(root);
      dir.writeIdentity(
          config.clusterId(), RaftSetup.groupId(config.clusterId()), config.memberId());
      try (RocksStore store = RocksStore.open(dir.db)) {
        return store.restore(kvs, revision);
      }
    } catch (IOException e) {
      throw new StoreStartException(
          "restore member " + config.memberId() + " into " + root + ": " + e, e);
    }
  }
}
