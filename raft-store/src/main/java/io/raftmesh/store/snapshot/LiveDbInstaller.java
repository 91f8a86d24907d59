package io.raftmesh.store.snapshot;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the live DB directory with a copy of a checkpoint, crash-safely: the copy is built in
 * {@code <db>.new}, then the old DB is moved to {@code <db>.old}, the copy moved into place, and
 * the old one deleted. {@link #recover} finishes or undoes an interrupted swap at startup.
 *
 * <p>SST files are immutable, so they are hard-linked (copied when links are impossible); every
 * other file (MANIFEST, CURRENT, OPTIONS, WAL) is copied, because the live DB appends to them and
 * must never write into a snapshot Ratis may still be streaming.
 */
public final class LiveDbInstaller {
  private static final Logger LOG = LoggerFactory.getLogger(LiveDbInstaller.class);

  private LiveDbInstaller() {}

  /** Makes {@code liveDir} a copy of the checkpoint in {@code checkpointDir}. */
  public static void install(Path checkpointDir, Path liveDir) throws IOException {
    Path fresh = sibling(liveDir, ".new");
    Path old = sibling(liveDir, ".old");
    CheckpointStorage.deleteTree(fresh);
    Files.createDirectories(fresh);
    try (Stream<Path> files = Files.list(checkpointDir)) {
      for (Path src : (Iterable<Path>) files::iterator) {
        String name = src.getFileName().toString();
        if (!Files.isRegularFile(src)
            || name.endsWith(CheckpointStorage.MD5_SUFFIX)
            || name.equals(CheckpointStorage.STATE_FILE)) {
          continue;
        }
        Path dst = fresh.resolve(name);
        if (name.endsWith(".sst")) {
          try {
            Files.createLink(dst, src);
            continue;
          } catch (FileSystemException | UnsupportedOperationException e) {
            LOG.debug("snapshot: cannot hard-link {}, copying it: {}", src, e.getMessage());
          }
        }
        Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    CheckpointStorage.deleteTree(old);
    if (Files.exists(liveDir)) {
      Files.move(liveDir, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(fresh, liveDir, StandardCopyOption.ATOMIC_MOVE);
    CheckpointStorage.deleteTree(old);
  }

  /** Completes a swap that a crash interrupted, so {@code liveDir} is whole or absent. */
  public static void recover(Path liveDir) throws IOException {
    Path fresh = sibling(liveDir, ".new");
    Path old = sibling(liveDir, ".old");
    if (!Files.exists(liveDir) && Files.exists(old)) {
      // Crashed between the two moves: the old DB is intact, the copy may be too, but the old one
      // is known-good; the member replays or reinstalls from there.
      Files.move(old, liveDir, StandardCopyOption.ATOMIC_MOVE);
    }
    CheckpointStorage.deleteTree(fresh);
    CheckpointStorage.deleteTree(old);
  }

  private static Path sibling(Path dir, String suffix) {
    return dir.resolveSibling(dir.getFileName() + suffix);
  }
}
