package io.raftmesh.server.cli;

import io.raftmesh.proto.v1.BackupRecord;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.SaveSnapshotRequest;
import io.raftmesh.proto.v1.SnapshotChunk;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftmesh snapshot}: logical backups of the whole store. */
@Command(
    name = "snapshot",
    description = "Save a backup of the store.",
    mixinStandardHelpOptions = true,
    subcommands = {SnapshotCommand.Save.class})
final class SnapshotCommand {

  /** What a backup file holds, as checked after writing it. */
  record Summary(long revision, long entries) {}

  /**
   * Reads a backup stream and checks it: a header first, entries, and a trailer whose count and
   * SHA-256 match the entries.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static Summary verify(InputStream in) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    BackupRecord first = BackupRecord.parseDelimitedFrom(in);
    if (first == null || !first.hasHeader()) {
      throw new IllegalArgumentException("backup: no header (expected: a raftmesh snapshot)");
    }
    long count = 0;
    while (true) {
      BackupRecord r = BackupRecord.parseDelimitedFrom(in);
      if (r == null) {
        throw new IllegalArgumentException(
            "backup: truncated after " + count + " entries (expected: a trailer)");
      }
      if (r.hasEntry()) {
        sha.update(r.getEntry().toByteArray());
        count++;
      } else if (r.hasTrailer()) {
        if (r.getTrailer().getCount() != count) {
          throw new IllegalArgumentException(
              "backup: trailer counts " + r.getTrailer().getCount() + " entries, found " + count);
        }
        if (!Arrays.equals(r.getTrailer().getSha256().toByteArray(), sha.digest())) {
          throw new IllegalArgumentException("backup: checksum mismatch (the file is damaged)");
        }
        return new Summary(first.getHeader().getRevision(), count);
      } else {
        throw new IllegalArgumentException("backup: unexpected record after " + count + " entries");
      }
    }
  }

  /** {@code raftmesh snapshot save FILE}. */
  @Command(
      name = "save",
      description = "Stream a consistent backup from a server into FILE.",
      mixinStandardHelpOptions = true)
  static final class Save implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the backup.")
    Path file = Path.of("raftmesh.snapshot");

    @Override
    public Integer call() throws Exception {
      Path tmp = file.resolveSibling(file.getFileName() + ".partial");
      try (ClusterClient c = client.connect()) {
        c.call(
            (ch, ms) -> {
              try (OutputStream out = Files.newOutputStream(tmp)) {
                Iterator<SnapshotChunk> chunks =
                    ClusterServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(Math.max(ms, 600_000), TimeUnit.MILLISECONDS)
                        .saveSnapshot(SaveSnapshotRequest.getDefaultInstance());
                while (chunks.hasNext()) {
                  chunks.next().getData().writeTo(out);
                }
              } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + tmp, e);
              }
              return null;
            });
      }
      Summary s;
      try (InputStream in = Files.newInputStream(tmp)) {
        s = verify(in);
      } catch (IllegalArgumentException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      PrintWriter w = spec.commandLine().getOut();
      w.printf("snapshot saved to %s: revision %d, %d keys%n", file, s.revision(), s.entries());
      w.flush();
      return 0;
    }
  }
}
