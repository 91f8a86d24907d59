package io.raftmesh.ca.keys;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes key and certificate files so that a reader never sees a half-written file and a secret is
 * never readable by others, not even for a moment: the content goes to a temporary file in the same
 * directory, created with its final permissions, is forced to disk, then renamed over the target.
 */
public final class KeyFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> WORLD_READABLE =
      PosixFilePermissions.fromString("rw-r--r--");

  private KeyFiles() {}

  /** Atomically writes a secret (a private key, a KEK) with mode 0600, replacing any old file. */
  public static void writeSecret(Path path, byte[] content) {
    write(path, content, OWNER_ONLY, true);
  }

  /**
   * Writes a secret with mode 0600, refusing to replace an existing file (a KEK or a root key that
   * is overwritten by mistake is lost for good).
   *
   * @throws UncheckedIOException wrapping {@link FileAlreadyExistsException} when {@code path}
   *     exists
   */
  public static void writeNewSecret(Path path, byte[] content) {
    write(path, content, OWNER_ONLY, false);
  }

  /** Atomically writes public material (certificates, CSRs) with mode 0644. */
  public static void writePublic(Path path, byte[] content) {
    write(path, content, WORLD_READABLE, true);
  }

  private static void write(
      Path path, byte[] content, Set<PosixFilePermission> permissions, boolean replace) {
    requireNonNull(path, "path");
    requireNonNull(content, "content");
    Path target = path.toAbsolutePath();
    Path dir = requireNonNull(target.getParent(), "path has no parent directory");
    Path temp = null;
    try {
      if (!replace && Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite");
      }
      boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
      FileAttribute<?>[] attributes =
          posix
              ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
              : new FileAttribute<?>[0];
      temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attributes);
      if (posix) {
        // The creation mode is filtered by the umask; make the final mode exact.
        Files.setPosixFilePermissions(temp, permissions);
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      if (replace) {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        // A hard link fails when the target exists, so a concurrent writer cannot be clobbered.
        Files.createLink(target, temp);
        Files.delete(temp);
      }
      temp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The write already failed and says so; a leftover temp file is harmless.
        }
      }
    }
  }
}
