package io.raftmesh.server.runtime;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Everything a control server needs to start, validated when built (each problem reads {@code name:
 * value (expected: constraint)}). {@code raftmesh server} builds it from flags, environment and a
 * config file; tests build it with {@link #builder}.
 *
 * @param id this server's member id (a DNS label: it is also the {@code control/<id>} identity)
 * @param peers every member's id and Raft address {@code host:port}, this server included
 * @param dataDir where the Raft log, snapshots and the live RocksDB are kept
 * @param clusterId names the Raft group (null: the trust domain of the server certificate)
 * @param bindAddress the address gRPC and metrics listen on
 * @param grpcPort the gRPC port (0: any free port, for tests)
 * @param advertiseAddress how clients reach this server's gRPC, {@code host:port} (null: the host
 *     of this server's Raft address and the gRPC port)
 * @param metricsPort the Prometheus port (0: any free port; -1: no metrics endpoint)
 * @param raftBindAddress the address Raft listens on (null: the host of its peer address)
 * @param tlsDir this server's {@code tls.crt}, {@code tls.key} and {@code trust-bundle.pem}
 * @param kekFile the cluster's key-encryption key
 * @param issuerFile the sealed issuing CA from {@code raftmesh ca init}, installed by the first
 *     leader when the store has none (null: install it with InstallIssuer)
 * @param joinExisting start empty and wait to be added with AddMember (first start only)
 * @param electionTimeoutMin lower bound of the randomized election timeout
 * @param electionTimeoutMax upper bound (also how long without a leader before streams are shed)
 * @param requestTimeout the store's deadline for one request, retries included
 * @param snapshotThreshold Raft log entries between snapshots
 * @param changeLogRevisions revisions kept in the change log for resuming delta streams
 * @param changeLogAge change-log records older than this are dropped (zero: no age limit)
 * @param ackFlushInterval how often acknowledgements and liveness are written (batched)
 * @param reaperInterval how often the leader checks for silent nodes
 * @param housekeepingInterval how often the leader drops expired records
 * @param handlerThreads threads running RPC handlers (they block on the store)
 * @param xds whether this server serves xDS (ADS) on its gRPC port
 * @param xdsRetention how long a removed xDS route, cluster or assignment stays available to
 *     clients still asking for it by name (make-before-break), at least
 * @param telemetryWindow how long agents' traffic summaries are kept in memory for {@code raftmesh
 *     stats} (the longest window it can show)
 * @param telemetryMaxEdges how many distinct edges the telemetry window holds at most
 */
public record ServerConfig(
    String id,
    Map<String, String> peers,
    Path dataDir,
    @Nullable String clusterId,
    String bindAddress,
    int grpcPort,
    @Nullable String advertiseAddress,
    int metricsPort,
    @Nullable String raftBindAddress,
    Path tlsDir,
    Path kekFile,
    @Nullable Path issuerFile,
    boolean joinExisting,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration requestTimeout,
    long snapshotThreshold,
    long changeLogRevisions,
    Duration changeLogAge,
    Duration ackFlushInterval,
    Duration reaperInterval,
    Duration housekeepingInterval,
    int handlerThreads,
    boolean xds,
    Duration xdsRetention,
    Duration telemetryWindow,
    int telemetryMaxEdges) {

  private static final Pattern ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\s/]+):(\\d{1,5})");

  /** Validates every field. */
  public ServerConfig {
    requireNonNull(id, "id");
    requireNonNull(peers, "peers");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(bindAddress, "bindAddress");
    requireNonNull(tlsDir, "tlsDir");
    requireNonNull(kekFile, "kekFile");
    requireNonNull(electionTimeoutMin, "electionTimeoutMin");
    requireNonNull(electionTimeoutMax, "electionTimeoutMax");
    requireNonNull(requestTimeout, "requestTimeout");
    requireNonNull(changeLogAge, "changeLogAge");
    requireNonNull(ackFlushInterval, "ackFlushInterval");
    requireNonNull(reaperInterval, "reaperInterval");
    requireNonNull(housekeepingInterval, "housekeepingInterval");
    requireNonNull(xdsRetention, "xdsRetention");
    requireNonNull(telemetryWindow, "telemetryWindow");
    check(ID.matcher(id).matches(), "id", id, "a DNS label: 1-63 of a-z 0-9 -");
    check(!peers.isEmpty(), "peers", peers, "at least this server");
    for (Map.Entry<String, String> p : peers.entrySet()) {
      check(
          ID.matcher(p.getKey()).matches(),
          "peers",
          p.getKey() + "=" + p.getValue(),
          "ID=HOST:PORT with a DNS-label id");
      check(
          isHostPort(p.getValue()),
          "peers",
          p.getKey() + "=" + p.getValue(),
          "ID=HOST:PORT with a port in 1..65535");
    }
    check(
        peers.containsKey(id),
        "peers",
        String.join(",", peers.keySet()),
        "to include this server's id " + id);
    peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    if (clusterId != null) {
      check(
          clusterId.matches("[A-Za-z0-9._-]{1,64}"),
          "cluster-id",
          clusterId,
          "1..64 of [A-Za-z0-9._-]");
    }
    check(!bindAddress.isBlank(), "bind-address", bindAddress, "an address to listen on");
    check(grpcPort >= 0 && grpcPort <= 65535, "grpc-port", grpcPort, "0..65535");
    check(
        metricsPort >= -1 && metricsPort <= 65535,
        "metrics-port",
        metricsPort,
        "0..65535, or -1 for none");
    if (advertiseAddress != null) {
      check(isHostPort(advertiseAddress), "advertise-address", advertiseAddress, "host:port");
    }
    positive(electionTimeoutMin, "election-timeout-min");
    check(
        electionTimeoutMax.compareTo(electionTimeoutMin) > 0,
        "election-timeout-max",
        electionTimeoutMax,
        "above election-timeout-min " + electionTimeoutMin);
    check(
        electionTimeoutMax.compareTo(Duration.ofSeconds(2)) < 0,
        "election-timeout-max",
        electionTimeoutMax,
        "below 2s");
    check(
        requestTimeout.compareTo(Duration.ofSeconds(3)) >= 0,
        "request-timeout",
        requestTimeout,
        "at least 3s");
    check(snapshotThreshold >= 1, "snapshot-threshold", snapshotThreshold, "at least 1");
    check(
        changeLogRevisions >= 0,
        "change-log-revisions",
        changeLogRevisions,
        "0 (no limit) or more");
    check(!changeLogAge.isNegative(), "change-log-age", changeLogAge, "zero (no limit) or more");
    positive(ackFlushInterval, "ack-flush-interval");
    positive(reaperInterval, "reaper-interval");
    positive(housekeepingInterval, "housekeeping-interval");
    check(
        handlerThreads >= 2 && handlerThreads <= 4096,
        "handler-threads",
        handlerThreads,
        "2..4096");
    check(!xdsRetention.isNegative(), "xds-retention", xdsRetention, "zero or more");
    check(
        telemetryWindow.compareTo(Duration.ofSeconds(6)) >= 0
            && telemetryWindow.compareTo(Duration.ofHours(1)) <= 0,
        "telemetry-window",
        telemetryWindow,
        "6s..1h");
    check(
        telemetryMaxEdges >= 1 && telemetryMaxEdges <= 1_000_000,
        "telemetry-max-edges",
        telemetryMaxEdges,
        "1..1000000");
  }

  private static boolean isHostPort(String s) {
    var m = HOST_PORT.matcher(s);
    if (!m.matches()) {
      return false;
    }
    int port = Integer.parseInt(m.group(2));
    return port >= 1 && port <= 65535;
  }

  private static void positive(Duration d, String name) {
    check(!d.isNegative() && !d.isZero(), name, d, "more than zero");
  }

  private static void check(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
  }

  /** This server's Raft address. */
  public String raftAddress() {
    return requireNonNull(peers.get(id), "peers[id]");
  }

  /** The host part of {@code host:port}. */
  static String hostOf(String address) {
    String host = address.substring(0, address.lastIndexOf(':'));
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  /** A builder with the defaults of {@code raftmesh server}. */
  public static Builder builder(
      String id, Map<String, String> peers, Path dataDir, Path tlsDir, Path kekFile) {
    return new Builder(id, peers, dataDir, tlsDir, kekFile);
  }

  /** Builds a {@link ServerConfig}; every setter has the CLI's default. */
  public static final class Builder {
    private final String id;
    private final Map<String, String> peers;
    private final Path dataDir;
    private final Path tlsDir;
    private final Path kekFile;
    private @Nullable String clusterId;
    private String bindAddress = "0.0.0.0";
    private int grpcPort = 7443;
    private @Nullable String advertiseAddress;
    private int metricsPort = 9464;
    private @Nullable String raftBindAddress;
    private @Nullable Path issuerFile;
    private boolean joinExisting;
    private Duration electionTimeoutMin = Duration.ofMillis(300);
    private Duration electionTimeoutMax = Duration.ofMillis(600);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private long snapshotThreshold = 20_000;
    private long changeLogRevisions = 100_000;
    private Duration changeLogAge = Duration.ofHours(24);
    private Duration ackFlushInterval = Duration.ofSeconds(1);
    private Duration reaperInterval = Duration.ofSeconds(1);
    private Duration housekeepingInterval = Duration.ofMinutes(1);
    private int handlerThreads = 64;
    private boolean xds = true;
    private Duration xdsRetention = Duration.ofSeconds(30);
    private Duration telemetryWindow = Duration.ofSeconds(60);
    private int telemetryMaxEdges = 10_000;

    private Builder(String id, Map<String, String> peers, Path dataDir, Path tlsDir, Path kekFile) {
      this.id = id;
      this.peers = peers;
      this.dataDir = dataDir;
      this.tlsDir = tlsDir;
      this.kekFile = kekFile;
    }

    /** The cluster id (default: the trust domain). */
    public Builder clusterId(@Nullable String v) {
      clusterId = v;
      return this;
    }

    /** The gRPC and metrics listen address (default 0.0.0.0). */
    public Builder bindAddress(String v) {
      bindAddress = v;
      return this;
    }

    /** The gRPC port (default 7443). */
    public Builder grpcPort(int v) {
      grpcPort = v;
      return this;
    }

    /** The address clients use (default: Raft host and gRPC port). */
    public Builder advertiseAddress(@Nullable String v) {
      advertiseAddress = v;
      return this;
    }

    /** The metrics port (default 9464; -1: none). */
    public Builder metricsPort(int v) {
      metricsPort = v;
      return this;
    }

    /** The Raft listen address (default: the host of its peer address). */
    public Builder raftBindAddress(@Nullable String v) {
      raftBindAddress = v;
      return this;
    }

    /** The issuer file (default: none). */
    public Builder issuerFile(@Nullable Path v) {
      issuerFile = v;
      return this;
    }

    /** Start as a new member waiting to be added (default false). */
    public Builder joinExisting(boolean v) {
      joinExisting = v;
      return this;
    }

    /** The election timeout range (default 300ms..600ms). */
    public Builder electionTimeout(Duration min, Duration max) {
      electionTimeoutMin = min;
      electionTimeoutMax = max;
      return this;
    }

    /** The store request timeout (default 10s). */
    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    /** Entries between snapshots (default 20,000). */
    public Builder snapshotThreshold(long v) {
      snapshotThreshold = v;
      return this;
    }

    /** Change-log retention (default 100,000 revisions, 24h). */
    public Builder changeLogRetention(long revisions, Duration age) {
      changeLogRevisions = revisions;
      changeLogAge = age;
      return this;
    }

    /** How often reports are written (default 1s). */
    public Builder ackFlushInterval(Duration v) {
      ackFlushInterval = v;
      return this;
    }

    /** How often the leader checks for silent nodes (default 1s). */
    public Builder reaperInterval(Duration v) {
      reaperInterval = v;
      return this;
    }

    /** How often the leader drops expired records (default 1m). */
    public Builder housekeepingInterval(Duration v) {
      housekeepingInterval = v;
      return this;
    }

    /** RPC handler threads (default 64). */
    public Builder handlerThreads(int v) {
      handlerThreads = v;
      return this;
    }

    /** Whether to serve xDS (default true). */
    public Builder xds(boolean v) {
      xds = v;
      return this;
    }

    /** Make-before-break retention of removed xDS resources (default 30s). */
    public Builder xdsRetention(Duration v) {
      xdsRetention = v;
      return this;
    }

    /** How long telemetry summaries are kept (default 60s). */
    public Builder telemetryWindow(Duration v) {
      telemetryWindow = v;
      return this;
    }

    /** Distinct edges the telemetry window holds at most (default 10,000). */
    public Builder telemetryMaxEdges(int v) {
      telemetryMaxEdges = v;
      return this;
    }

    /** Validates and builds. */
    public ServerConfig build() {
      return new ServerConfig(
          id,
          peers,
          dataDir,
          clusterId,
          bindAddress,
          grpcPort,
          advertiseAddress,
          metricsPort,
          raftBindAddress,
          tlsDir,
          kekFile,
          issuerFile,
          joinExisting,
          electionTimeoutMin,
          electionTimeoutMax,
          requestTimeout,
          snapshotThreshold,
          changeLogRevisions,
          changeLogAge,
          ackFlushInterval,
          reaperInterval,
          housekeepingInterval,
          handlerThreads,
          xds,
          xdsRetention,
          telemetryWindow,
          telemetryMaxEdges);
    }
  }
}
