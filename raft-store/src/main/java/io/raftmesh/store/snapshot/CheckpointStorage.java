package io.raftmesh.store.snapshot;

import io.raftmesh.store.rocks.RocksStore;
import io.raftmesh.store.rocks.StoreState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots as RocksDB checkpoints: each is a directory {@code snapshot.<term>_<index>} in the
 * group's {@code sm/} folder. Ratis streams every file of the newest one to a follower that needs
 * it (paths relative to {@code sm/}, so the follower recreates the same layout) and swaps the whole
 * {@code sm/} folder when the install completes; the live DB lives elsewhere, so the swap never
 * pulls files from under open handles.
 *
 * <p>A checkpoint is built under a temporary name and renamed into place, so a crash never leaves a
 * half-written snapshot that looks complete. Retention keeps the newest {@code N} (never unbounded:
 * Ratis's default of "keep all" would fill the disk).
 */
public final class CheckpointStorage implements StateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStorage.class);
  private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final String TMP_PREFIX = ".checkpoint-tmp-";

  /**
   * A file in every checkpoint with the {@link StoreState} it holds (sent to followers with the
   * rest), so startup can tell whether the live DB is behind the snapshot without opening it.
   */
  static final String STATE_FILE = "raftmesh-store-state";

  /** Files Ratis writes beside received files; not part of a RocksDB checkpoint. */
  static final String MD5_SUFFIX = ".md5";

  private final int retained;
  private @Nullable Path smDir;
  private volatile @Nullable FileListSnapshotInfo latest;

  /** Storage that keeps at least {@code retained} (at least 1) snapshots. */
  public CheckpointStorage(int retained) {
    this.retained = Math.max(1, retained);
  }

  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    this.smDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
    Files.createDirectories(smDir);
    try (Stream<Path> entries = Files.list(smDir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (p.getFileName().toString().startsWith(TMP_PREFIX)) {
          LOG.info("snapshot: removing an incomplete checkpoint {}", p);
          deleteTree(p);
        }
      }
    }
    reload();
  }

  /** Rescans {@code sm/} (after an install replaced it). */
  public void reload() throws IOException {
    this.latest = newest().map(this::describe).orElse(null);
  }

  @Override
  public @Nullable SnapshotInfo getLatestSnapshot() {
    return latest;
  }

  /** The directory of the newest snapshot, if any. */
  public Optional<Path> latestDir() {
    FileListSnapshotInfo info = latest;
    return info == null ? Optional.empty() : Optional.of(dirOf(info.getTermIndex()));
  }

  @Override
  public void format() {
    // Ratis creates sm/ itself; nothing else to prepare.
  }

  /**
   * Checkpoints {@code store} as the snapshot at {@code termIndex}, which must cover everything the
   * store holds (the caller ensures applies are paused).
   */
  public void take(RocksStore store, TermIndex termIndex) throws IOException {
    Path target = dirOf(termIndex);
    if (Files.exists(target)) {
      return;
    }
    Path tmp = sm().resolve(TMP_PREFIX + termIndex.getIndex());
    deleteTree(tmp);
    store.checkpoint(tmp);
    Files.write(tmp.resolve(STATE_FILE), store.state().encode());
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    latest = describe(target);
  }

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    int keep = Math.max(retained, policy.getNumSnapshotsRetained());
    List<Path> all = sorted();
    for (int i = 0; i < all.size() - keep; i++) {
      LOG.debug("snapshot: removing old checkpoint {}", all.get(i));
      deleteTree(all.get(i));
    }
  }

  /** All checkpoint directories, oldest first. */
  List<Path> sorted() throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> entries = Files.list(sm())) {
      entries.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(dirs::add);
    }
    dirs.sort(Comparator.comparing(CheckpointStorage::termIndexOf));
    return dirs;
  }

  private Optional<Path> newest() throws IOException {
    List<Path> all = sorted();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  private FileListSnapshotInfo describe(Path dir) {
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> entries = Files.walk(dir)) {
      entries
          .filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(MD5_SUFFIX))
          .sorted()
          .forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list snapshot " + dir + ": " + e.getMessage(), e);
    }
    return new FileListSnapshotInfo(files, termIndexOf(dir));
  }

  private Path dirOf(TermIndex ti) {
    return sm().resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
  }

  private Path sm() {
    Path dir = smDir;
    if (dir == null) {
      throw new IllegalStateException("checkpoint storage used before init");
    }
    return dir;
  }

  /** The store state recorded in the checkpoint directory {@code dir}. */
  public static StoreState readState(Path dir) throws IOException {
    return StoreState.decode(Files.readAllBytes(dir.resolve(STATE_FILE)));
  }

  static TermIndex termIndexOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "snapshot directory: " + dir + " (expected: snapshot.T_I)");
    }
    return TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
