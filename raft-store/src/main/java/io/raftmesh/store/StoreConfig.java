package io.raftmesh.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Everything a store member needs to start, validated when built. Create one with {@link
 * #builder(String, Map, Path)}.
 *
 * @param memberId this member's id (letters, digits, {@code . _ -}; at most 64)
 * @param peers every member's id and Raft address {@code host:port}, including this member
 * @param dataDir where this member keeps its Raft log, snapshots and live RocksDB
 * @param clusterId names the Raft group; a data dir made for another cluster id refuses to start
 * @param tls mutual TLS for Raft traffic, or null for plaintext (loopback tests only)
 * @param joinExisting start without a configuration and wait to be added by {@code addMember} (only
 *     matters on the first start)
 * @param bindHost the address to listen on, or null for the host of this member's peer address
 * @param electionTimeoutMin lower bound of the randomized election timeout
 * @param electionTimeoutMax upper bound of the randomized election timeout
 * @param rpcTimeout how long one Raft client attempt waits for a reply
 * @param requestTimeout how long a {@link StoreClient} call may take in all, retries included
 * @param snapshotThreshold take a snapshot after this many entries since the last one
 * @param snapshotsRetained how many snapshots to keep on disk (at least 1)
 * @param logSegmentBytes size of a Raft log segment (logs are purged by whole segments)
 * @param purgeUpToSnapshot purge the log up to the snapshot even if a member still needs it (it
 *     then installs the snapshot): keeps disk bounded when a member is down for long
 * @param purgeGap purge only when this many entries can go
 * @param maxValueBytes largest value accepted in a put
 * @param maxRequestBytes largest encoded command accepted
 * @param changeLogRevisions keep about this many revisions in the change log (0: no limit)
 * @param changeLogAge drop change-log records older than this (zero: no limit)
 * @param requestIdRetention how long applied request ids are remembered for deduplication
 */
public record StoreConfig(
    String memberId,
    Map<String, String> peers,
    Path dataDir,
    String clusterId,
    @Nullable RaftTls tls,
    boolean joinExisting,
    @Nullable String bindHost,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration rpcTimeout,
    Duration requestTimeout,
    long snapshotThreshold,
    int snapshotsRetained,
    long logSegmentBytes,
    boolean purgeUpToSnapshot,
    int purgeGap,
    int maxValueBytes,
    int maxRequestBytes,
    long changeLogRevisions,
    Duration changeLogAge,
    Duration requestIdRetention) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\s]+):(\\d{1,5})");

  /** Validates every field; the message names the field, its value and the constraint. */
  public StoreConfig {
    requireNonNull(memberId, "memberId");
    requireNonNull(peers, "peers");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(clusterId, "clusterId");
    requireNonNull(electionTimeoutMin, "electionTimeoutMin");
    requireNonNull(electionTimeoutMax, "electionTimeoutMax");
    requireNonNull(rpcTimeout, "rpcTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
    requireNonNull(changeLogAge, "changeLogAge");
    requireNonNull(requestIdRetention, "requestIdRetention");
    check(ID.matcher(memberId).matches(), "memberId", memberId, "1..64 of [A-Za-z0-9._-]");
    check(ID.matcher(clusterId).matches(), "clusterId", clusterId, "1..64 of [A-Za-z0-9._-]");
    check(!peers.isEmpty(), "peers", peers, "at least this member");
    for (Map.Entry<String, String> peer : peers.entrySet()) {
      check(
          ID.matcher(peer.getKey()).matches(),
          "peers id",
          peer.getKey(),
          "1..64 of [A-Za-z0-9._-]");
      checkAddress("peers[" + peer.getKey() + "]", peer.getValue());
    }
    check(peers.containsKey(memberId), "peers", peers.keySet(), "to include memberId " + memberId);
    peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    dataDir = dataDir.toAbsolutePath().normalize();
    check(
        electionTimeoutMin.toMillis() >= 10,
        "electionTimeoutMin",
        electionTimeoutMin,
        "at least 10ms");
    check(
        electionTimeoutMax.compareTo(electionTimeoutMin) > 0,
        "electionTimeoutMax",
        electionTimeoutMax,
        "above electionTimeoutMin " + electionTimeoutMin);
    check(
        rpcTimeout.compareTo(electionTimeoutMax) > 0,
        "rpcTimeout",
        rpcTimeout,
        "above electionTimeoutMax " + electionTimeoutMax);
    check(
        requestTimeout.compareTo(rpcTimeout) >= 0,
        "requestTimeout",
        requestTimeout,
        "at least rpcTimeout " + rpcTimeout);
    check(snapshotThreshold >= 1, "snapshotThreshold", snapshotThreshold, "at least 1");
    check(snapshotsRetained >= 1, "snapshotsRetained", snapshotsRetained, "at least 1");
    check(
        logSegmentBytes >= 64 * 1024,
        "logSegmentBytes",
        logSegmentBytes,
        "at least 65536 and above maxRequestBytes");
    check(purgeGap >= 1, "purgeGap", purgeGap, "at least 1");
    check(maxValueBytes >= 1, "maxValueBytes", maxValueBytes, "at least 1");
    check(
        maxRequestBytes >= maxValueBytes + 8192,
        "maxRequestBytes",
        maxRequestBytes,
        "at least maxValueBytes + 8192 (" + ((long) maxValueBytes + 8192) + ")");
    check(
        maxRequestBytes <= 32 * 1024 * 1024,
        "maxRequestBytes",
        maxRequestBytes,
        "at most 33554432 (half of the gRPC message limit)");
    check(
        logSegmentBytes > maxRequestBytes,
        "logSegmentBytes",
        logSegmentBytes,
        "above maxRequestBytes " + maxRequestBytes);
    check(changeLogRevisions >= 0, "changeLogRevisions", changeLogRevisions, "at least 0");
    check(!changeLogAge.isNegative(), "changeLogAge", changeLogAge, "zero or positive");
    check(
        requestIdRetention.toMillis() >= 1000,
        "requestIdRetention",
        requestIdRetention,
        "at least 1s");
    if (bindHost != null) {
      check(!bindHost.isBlank(), "bindHost", bindHost, "a host name or address");
    }
  }

  /** A builder with production defaults for everything but the three required fields. */
  public static Builder builder(String memberId, Map<String, String> peers, Path dataDir) {
    return new Builder(memberId, peers, dataDir);
  }

  /** This member's Raft address ({@code host:port}). */
  public String address() {
    return requireNonNull(peers.get(memberId), "peers[memberId]");
  }

  /** This member's Raft port. */
  public int port() {
    return portOf(address());
  }

  static int portOf(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  static String hostOf(String address) {
    String host = address.substring(0, address.lastIndexOf(':'));
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  static void checkAddress(String name, String address) {
    requireNonNull(address, name);
    var m = HOST_PORT.matcher(address);
    check(m.matches(), name, address, "host:port");
    int port = Integer.parseInt(m.group(2));
    check(port >= 1 && port <= 65535, name, address, "a port in 1..65535");
  }

  private static void check(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
  }

  @Override
  public String toString() {
    return "StoreConfig[member="
        + memberId
        + ", cluster="
        + clusterId
        + ", peers="
        + peers
        + ", dataDir="
        + dataDir
        + ", tls="
        + (tls == null ? "off" : "mutual")
        + ", join="
        + joinExisting
        + ", election="
        + electionTimeoutMin.toMillis()
        + ".."
        + electionTimeoutMax.toMillis()
        + "ms, snapshotThreshold="
        + snapshotThreshold
        + ", snapshotsRetained="
        + snapshotsRetained
        + ", maxValueBytes="
        + maxValueBytes
        + ", changeLog="
        + changeLogRevisions
        + " revisions/"
        + changeLogAge
        + ", requestIdRetention="
        + requestIdRetention
        + "]";
  }

  /** Builds a {@link StoreConfig}; every setter has a production default. */
  public static final class Builder {
    private final String memberId;
    private final Map<String, String> peers;
    private final Path dataDir;
    private String clusterId = "raftmesh";
    private @Nullable RaftTls tls;
    private boolean joinExisting;
    private @Nullable String bindHost;
    private Duration electionTimeoutMin = Duration.ofMillis(300);
    private Duration electionTimeoutMax = Duration.ofMillis(600);
    private Duration rpcTimeout = Duration.ofSeconds(3);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private long snapshotThreshold = 20_000;
    private int snapshotsRetained = 2;
    private long logSegmentBytes = 8L * 1024 * 1024;
    private boolean purgeUpToSnapshot = true;
    private int purgeGap = 1024;
    private int maxValueBytes = 1024 * 1024;
    private int maxRequestBytes = 4 * 1024 * 1024;
    private long changeLogRevisions = 100_000;
    private Duration changeLogAge = Duration.ofHours(24);
    private Duration requestIdRetention = Duration.ofMinutes(5);

    private Builder(String memberId, Map<String, String> peers, Path dataDir) {
      this.memberId = memberId;
      this.peers = peers;
      this.dataDir = dataDir;
    }

    /** Names the cluster (default {@code raftmesh}). */
    public Builder clusterId(String value) {
      this.clusterId = value;
      return this;
    }

    /** Mutual TLS for Raft traffic (default: none). */
    public Builder tls(@Nullable RaftTls value) {
      this.tls = value;
      return this;
    }

    /** Start as a new member waiting to be added (default false). */
    public Builder joinExisting(boolean value) {
      this.joinExisting = value;
      return this;
    }

    /** The address to listen on (default: the host of this member's address). */
    public Builder bindHost(@Nullable String value) {
      this.bindHost = value;
      return this;
    }

    /**
     * The randomized election timeout range (default 300..600ms: twice Ratis's own default, so a
     * busy machine or a GC pause does not depose a healthy leader, while a failover still takes
     * well under a second).
     */
    public Builder electionTimeout(Duration min, Duration max) {
      this.electionTimeoutMin = min;
      this.electionTimeoutMax = max;
      return this;
    }

    /** One attempt's timeout (default 3s). */
    public Builder rpcTimeout(Duration value) {
      this.rpcTimeout = value;
      return this;
    }

    /** A client call's overall deadline (default 10s). */
    public Builder requestTimeout(Duration value) {
      this.requestTimeout = value;
      return this;
    }

    /** Entries between automatic snapshots (default 20,000). */
    public Builder snapshotThreshold(long value) {
      this.snapshotThreshold = value;
      return this;
    }

    /** Snapshots kept on disk (default 2). */
    public Builder snapshotsRetained(int value) {
      this.snapshotsRetained = value;
      return this;
    }

    /** Raft log segment size (default 8 MiB). */
    public Builder logSegmentBytes(long value) {
      this.logSegmentBytes = value;
      return this;
    }

    /** Purge up to the snapshot even past a lagging member (default true). */
    public Builder purgeUpToSnapshot(boolean value) {
      this.purgeUpToSnapshot = value;
      return this;
    }

    /** Minimum entries per purge (default 1024). */
    public Builder purgeGap(int value) {
      this.purgeGap = value;
      return this;
    }

    /** Largest value (default 1 MiB). */
    public Builder maxValueBytes(int value) {
      this.maxValueBytes = value;
      return this;
    }

    /** Largest encoded command (default 4 MiB). */
    public Builder maxRequestBytes(int value) {
      this.maxRequestBytes = value;
      return this;
    }

    /** Change-log retention by count (default 100,000 revisions) and age (default 24h). */
    public Builder changeLogRetention(long revisions, Duration age) {
      this.changeLogRevisions = revisions;
      this.changeLogAge = age;
      return this;
    }

    /** How long request ids are remembered (default 5 minutes). */
    public Builder requestIdRetention(Duration value) {
      this.requestIdRetention = value;
      return this;
    }

    /** Validates and builds. */
    public StoreConfig build() {
      return new StoreConfig(
          memberId,
          peers,
          dataDir,
          clusterId,
          tls,
          joinExisting,
          bindHost,
          electionTimeoutMin,
          electionTimeoutMax,
          rpcTimeout,
          requestTimeout,
          snapshotThreshold,
          snapshotsRetained,
          logSegmentBytes,
          purgeUpToSnapshot,
          purgeGap,
          maxValueBytes,
          maxRequestBytes,
          changeLogRevisions,
          changeLogAge,
          requestIdRetention);
    }
  }
}
