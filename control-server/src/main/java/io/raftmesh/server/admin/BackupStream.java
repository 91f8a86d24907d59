package io.raftmesh.server.admin;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.BackupEntry;
import io.raftmesh.proto.v1.BackupHeader;
import io.raftmesh.proto.v1.BackupRecord;
import io.raftmesh.proto.v1.BackupTrailer;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.store.Backup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The logical backup format of {@code ClusterService.SaveSnapshot}: a sequence of length-delimited
 * {@link BackupRecord}s, a header, one entry per key in key order, and a trailer with the entry
 * count and the SHA-256 of every entry's serialized bytes. {@link Writer} produces it in chunks;
 * {@link #read} parses and verifies it (for {@code raftmesh snapshot restore}, which feeds the
 * entries to {@code StoreRestore}).
 */
public final class BackupStream {
  /** The format version written and accepted. */
  public static final int FORMAT = 1;

  private static final int CHUNK = 64 * 1024;

  private BackupStream() {}

  /** Produces the chunks of one backup, on demand. Not thread-safe. */
  public static final class Writer implements AutoCloseable {
    private final Backup backup;
    private final MessageDigest digest = sha256();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(CHUNK * 2);
    private long count;
    private boolean finished;

    /** A writer over {@code backup}; writes the header at once. */
    public Writer(Backup backup, String serverId, Instant takenAt) {
      this.backup = backup;
      append(
          BackupRecord.newBuilder()
              .setHeader(
                  BackupHeader.newBuilder()
                      .setFormat(FORMAT)
                      .setRevision(backup.revision())
                      .setCompactRevision(backup.compactRevision())
                      .setTakenAt(Timestamps.fromMillis(takenAt.toEpochMilli()))
                      .setServerId(serverId))
              .build());
    }

    /** The revision the backup reflects. */
    public long revision() {
      return backup.revision();
    }

    /** The next chunk (about 64 KiB), or null after the trailer was returned. */
    public @org.jspecify.annotations.Nullable ByteString next() {
      if (finished && buffer.size() == 0) {
        return null;
      }
      while (!finished && buffer.size() < CHUNK) {
        if (backup.hasNext()) {
          KeyValue kv = backup.next();
          BackupEntry entry =
              BackupEntry.newBuilder()
                  .setKey(kv.getKey())
                  .setValue(kv.getValue())
                  .setCreateRevision(kv.getCreateRevision())
                  .setModRevision(kv.getModRevision())
                  .setVersion(kv.getVersion())
                  .build();
          digest.update(entry.toByteArray());
          count++;
          append(BackupRecord.newBuilder().setEntry(entry).build());
        } else {
          append(
              BackupRecord.newBuilder()
                  .setTrailer(
                      BackupTrailer.newBuilder()
                          .setCount(count)
                          .setSha256(ByteString.copyFrom(digest.digest())))
                  .build());
          finished = true;
        }
      }
      ByteString chunk = ByteString.copyFrom(buffer.toByteArray());
      buffer.reset();
      return chunk;
    }

    /** Entries written so far. */
    public long count() {
      return count;
    }

    private void append(BackupRecord record) {
      try {
        record.writeDelimitedTo(buffer);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      backup.close();
    }
  }

  /**
   * A verified backup.
   *
   * @param header the header
   * @param entries every key with its revisions, in key order
   */
  public record Parsed(BackupHeader header, List<KeyValue> entries) {
    /** Copies the list. */
    public Parsed {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Reads and verifies a whole backup.
   *
   * @throws IOException when the stream cannot be read
   * @throws IllegalArgumentException naming what is wrong: no header, an unknown format, a missing
   *     trailer, a count or checksum that does not match
   */
  public static Parsed read(InputStream in) throws IOException {
    BackupRecord first = BackupRecord.parseDelimitedFrom(in);
    if (first == null || !first.hasHeader()) {
      throw new IllegalArgumentException("backup: no header (expected: a raftmesh backup)");
    }
    if (first.getHeader().getFormat() != FORMAT) {
      throw new IllegalArgumentException(
          "backup format: " + first.getHeader().getFormat() + " (expected: " + FORMAT + ")");
    }
    MessageDigest digest = sha256();
    List<KeyValue> entries = new ArrayList<>();
    while (true) {
      BackupRecord r = BackupRecord.parseDelimitedFrom(in);
      if (r == null) {
        throw new IllegalArgumentException(
            "backup: ends after " + entries.size() + " entries without a trailer (truncated?)");
      }
      if (r.hasEntry()) {
        BackupEntry e = r.getEntry();
        digest.update(e.toByteArray());
        entries.add(
            KeyValue.newBuilder()
                .setKey(e.getKey())
                .setValue(e.getValue())
                .setCreateRevision(e.getCreateRevision())
                .setModRevision(e.getModRevision())
                .setVersion(e.getVersion())
                .build());
      } else if (r.hasTrailer()) {
        BackupTrailer t = r.getTrailer();
        if (t.getCount() != entries.size()) {
          throw new IllegalArgumentException(
              "backup trailer count: " + t.getCount() + " (expected: " + entries.size() + ")");
        }
        if (!ByteString.copyFrom(digest.digest()).equals(t.getSha256())) {
          throw new IllegalArgumentException("backup checksum: mismatch (the file is corrupted)");
        }
        return new Parsed(first.getHeader(), entries);
      } else {
        throw new IllegalArgumentException("backup: a second header or an empty record");
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
