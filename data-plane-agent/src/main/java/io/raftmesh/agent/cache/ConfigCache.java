package io.raftmesh.agent.cache;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last applied mesh config and its revision on disk ({@code <data-dir>/config/applied.bin}), so
 * that a restarted agent serves at once, and goes on serving, while no control server answers.
 *
 * <p>Format: magic {@code RMCC}, format version (1 byte, 1), payload length (8 bytes), CRC32C of
 * the payload (4 bytes), payload: a {@code raftmesh.v1.Delta} with {@code reset = true} holding the
 * complete state at its revision. Writes go to a temporary file that is forced to disk and renamed
 * over the old one (then the directory is forced), so a crash leaves the old or the new config,
 * never a torn one; the checksum catches a file damaged later.
 */
public final class ConfigCache {
  private static final Logger log = LoggerFactory.getLogger(ConfigCache.class);
  private static final byte[] MAGIC = {'R', 'M', 'C', 'C'};
  private static final byte VERSION = 1;
  private static final int HEADER = 4 + 1 + 8 + 4;

  /**
   * A cached config.
   *
   * @param revision the revision it reflects
   * @param resources every resource at that revision
   */
  public record Cached(long revision, List<Resource> resources) {
    /** Copies the list. */
    public Cached {
      resources = List.copyOf(resources);
    }
  }

  private final Path file;

  private ConfigCache(Path file) {
    this.file = file;
  }

  /** The cache under {@code dataDir}, whose {@code config} directory is created if missing. */
  public static ConfigCache in(Path dataDir) {
    Path dir = dataDir.resolve("config");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    return new ConfigCache(dir.resolve("applied.bin"));
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * The cached config, or empty when there is none or it is damaged (logged: the agent then starts
   * empty and fetches everything).
   */
  public Optional<Cached> load() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      log.warn("config cache unreadable file={} error={}", file, e.toString());
      return Optional.empty();
    }
    try {
      return Optional.of(decode(bytes));
    } catch (IllegalStateException e) {
      log.warn("config cache ignored file={} reason={}", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** Replaces the cached config atomically and durably. */
  public void store(long revision, List<Resource> resources) {
    requireNonNull(resources, "resources");
    byte[] bytes = encode(revision, resources);
    Path dir = requireNonNull(file.getParent());
    Path temp = dir.resolve(file.getFileName() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
        ch.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // Some file systems cannot open a directory; the rename is still atomic.
        log.debug("cannot fsync {}: {}", dir, e.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static byte[] encode(long revision, List<Resource> resources) {
    byte[] payload =
        Delta.newBuilder()
            .setRevision(revision)
            .setReset(true)
            .addAllUpserts(resources)
            .build()
            .toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer out = ByteBuffer.allocate(HEADER + payload.length);
    out.put(MAGIC).put(VERSION).putLong(payload.length).putInt((int) crc.getValue()).put(payload);
    return out.array();
  }

  static Cached decode(byte[] bytes) {
    if (bytes.length < HEADER) {
      throw new IllegalStateException("truncated header (" + bytes.length + " bytes)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[4];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IllegalStateException("not a config cache (bad magic)");
    }
    byte version = in.get();
    if (version != VERSION) {
      throw new IllegalStateException("format version " + version + " (expected: " + VERSION + ")");
    }
    long length = in.getLong();
    int expectedCrc = in.getInt();
    if (length != bytes.length - HEADER) {
      throw new IllegalStateException(
          "payload length " + length + " (expected: " + (bytes.length - HEADER) + ")");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, HEADER, (int) length);
    if ((int) crc.getValue() != expectedCrc) {
      throw new IllegalStateException("checksum mismatch");
    }
    try {
      Delta delta = Delta.parseFrom(ByteBuffer.wrap(bytes, HEADER, (int) length));
      return new Cached(delta.getRevision(), delta.getUpsertsList());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("payload unreadable: " + e.getMessage(), e);
    }
  }
}
