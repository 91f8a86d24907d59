package io.raftmesh.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The layout of a member's data directory and the identity it belongs to:
 *
 * <pre>
 *   member.properties   cluster id, Raft group id and member id (written on first start)
 *   raft/&lt;group-uuid&gt;/   Ratis's storage: log, metadata, sm/ with checkpoint snapshots
 *   db/                 the live RocksDB (outside Ratis's sm/ folder on purpose)
 * </pre>
 *
 * A directory made for another cluster or member refuses to start, so a misconfigured member never
 * joins the wrong group with someone else's state.
 */
final class DataDir {
  static final String IDENTITY = "member.properties";

  final Path root;
  final Path raft;
  final Path db;

  DataDir(Path root) {
    this.root = root;
    this.raft = root.resolve("raft");
    this.db = root.resolve("db");
  }

  /** Whether Ratis storage for {@code group} exists (so the member must RECOVER, not FORMAT). */
  boolean hasRaftStorage(RaftGroupId group) {
    return Files.isDirectory(raft.resolve(group.getUuid().toString()).resolve("current"));
  }

  /**
   * Checks that this directory belongs to {@code memberId} of {@code clusterId}, claiming an empty
   * one.
   *
   * @throws StoreStartException naming what differs
   */
  void claim(String clusterId, RaftGroupId group, String memberId) throws IOException {
    Files.createDirectories(root);
    Path identity = root.resolve(IDENTITY);
    if (Files.exists(identity)) {
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(identity, StandardCharsets.UTF_8)) {
        p.load(in);
      }
      String foundGroup = p.getProperty("group", "");
      String foundMember = p.getProperty("member", "");
      if (!foundGroup.equals(group.getUuid().toString())) {
        throw new StoreStartException(
            "member "
                + memberId
                + ": data dir "
                + root
                + " belongs to cluster "
                + p.getProperty("cluster", "?")
                + " (group "
                + foundGroup
                + "), not cluster "
                + clusterId
                + " (group "
                + group.getUuid()
                + "); use an empty data dir or the right cluster id");
      }
      if (!foundMember.equals(memberId)) {
        throw new StoreStartException(
            "member "
                + memberId
                + ": data dir "
                + root
                + " belongs to member "
                + foundMember
                + " of this cluster; use an empty data dir or start member "
                + foundMember);
      }
      return;
    }
    try (Stream<Path> entries = Files.exists(raft) ? Files.list(raft) : Stream.empty()) {
      if (entries.findAny().isPresent()) {
        throw new StoreStartException(
            "member "
                + memberId
                + ": data dir "
                + root
                + " has Raft storage but no "
                + IDENTITY
                + "; it was not made by this store (expected: an empty dir or one of ours)");
      }
    }
    writeIdentity(clusterId, group, memberId);
  }

  void writeIdentity(String clusterId, RaftGroupId group, String memberId) throws IOException {
    Files.createDirectories(root);
    Properties p = new Properties();
    p.setProperty("cluster", clusterId);
    p.setProperty("group", group.getUuid().toString());
    p.setProperty("member", memberId);
    Path tmp = root.resolve(IDENTITY + ".tmp");
    try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "raftmesh store member identity; do not edit");
    }
    Files.move(tmp, root.resolve(IDENTITY), StandardCopyOption.ATOMIC_MOVE);
  }
}
