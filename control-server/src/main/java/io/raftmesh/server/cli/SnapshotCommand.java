package io.raftmesh.server.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.SaveSnapshotRequest;
import io.raftmesh.proto.v1.SnapshotChunk;
import io.raftmesh.server.admin.BackupStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    description = "Save, check and restore backups of the store.",
    mixinStandardHelpOptions = true,
    subcommands = {SnapshotCommand.Save.class, SnapshotCommand.Verify.class, SnapshotRestore.class})
final class SnapshotCommand {

  /** Reads and checks a backup file (header, entries, trailer count and SHA-256). */
  static BackupStream.Parsed read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return BackupStream.read(in);
    } catch (NoSuchFileException e) {
      throw new UsageException("backup file " + file + ": not found");
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new UsageException(
          "backup file " + file + ": damaged or not a raftmesh snapshot (" + e.getMessage() + ")");
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
      BackupStream.Parsed s;
      try {
        s = read(tmp);
      } catch (UsageException | IOException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      PrintWriter w = spec.commandLine().getOut();
      w.printf(
          "snapshot saved to %s: revision %d, %d keys%n",
          file, s.header().getRevision(), s.entries().size());
      w.flush();
      return 0;
    }
  }

  /** {@code raftmesh snapshot verify FILE}. */
  @Command(
      name = "verify",
      description = "Check a backup file (structure, entry count, SHA-256) and print its revision.",
      mixinStandardHelpOptions = true)
  static final class Verify implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The backup to check.")
    Path file = Path.of("raftmesh.snapshot");

    @Override
    public Integer call() throws Exception {
      BackupStream.Parsed s = read(file);
      PrintWriter w = spec.commandLine().getOut();
      w.printf(
          "snapshot %s is intact: revision %d, %d keys, taken by %s at %s%n",
          file,
          s.header().getRevision(),
          s.entries().size(),
          s.header().getServerId(),
          com.google.protobuf.util.Timestamps.toString(s.header().getTakenAt()));
      w.flush();
      return 0;
    }
  }
}
