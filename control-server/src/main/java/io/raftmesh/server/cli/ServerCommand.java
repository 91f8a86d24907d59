package io.raftmesh.server.cli;

import io.raftmesh.server.runtime.ControlServer;
import io.raftmesh.server.runtime.ServerConfig;
import io.raftmesh.server.runtime.ServerMaterial;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh server}: runs one control server until it is stopped (SIGTERM or SIGINT). Every
 * option can also be given as an environment variable ({@code --grpc-port} is {@code
 * RAFTMESH_SERVER_GRPC_PORT}) or as a key of the YAML {@code --config} file ({@code grpc-port:
 * 7443}); a flag beats the environment, which beats the file, which beats the default.
 *
 * <p>Exit codes: 2 when the settings are wrong (a bad value, a missing or unreadable file, a peer
 * list without this server, a certificate for another server); 1 when a valid configuration cannot
 * start (a port in use, a data dir of another cluster or member).
 */
@Command(
    name = "server",
    description = "Run a control server (a Raft member serving the mesh's gRPC APIs).",
    mixinStandardHelpOptions = true,
    sortOptions = false)
final class ServerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      description = "YAML file of settings, keys named like the options (grpc-port: 7443).")
  @Nullable String config;

  @Option(names = "--id", description = "This server's member id (a DNS label, e.g. n1).")
  @Nullable String id;

  @Option(
      names = "--peers",
      description = "Every member with its Raft address, this server included: ID=HOST:PORT,...")
  @Nullable String peers;

  @Option(names = "--data-dir", description = "Where the Raft log, snapshots and the store live.")
  @Nullable String dataDir;

  @Option(
      names = "--tls-dir",
      description =
          "This server's tls.crt, tls.key and trust-bundle.pem (from ca init: servers/<id>).")
  @Nullable String tlsDir;

  @Option(
      names = "--kek-file",
      description = "The cluster's key-encryption key (kek.key from ca init).")
  @Nullable String kekFile;

  @Option(
      names = "--issuer-file",
      description =
          "The sealed issuing CA (issuer.json from ca init); the first leader stores it when the cluster has none.")
  @Nullable String issuerFile;

  @Option(names = "--cluster-id", description = "Names the Raft group (default: the trust domain).")
  @Nullable String clusterId;

  @Option(
      names = "--grpc-port",
      defaultValue = "7443",
      description = "gRPC API port (default: ${DEFAULT-VALUE}).")
  String grpcPort = "7443";

  @Option(
      names = "--bind-address",
      defaultValue = "0.0.0.0",
      description = "Address gRPC and metrics listen on (default: ${DEFAULT-VALUE}).")
  String bindAddress = "0.0.0.0";

  @Option(
      names = "--advertise-address",
      description =
          "HOST:PORT clients use to reach this server's gRPC (default: the host of its peer address and --grpc-port).")
  @Nullable String advertiseAddress;

  @Option(
      names = "--metrics-port",
      defaultValue = "9464",
      description = "Prometheus /metrics port, -1 for none (default: ${DEFAULT-VALUE}).")
  String metricsPort = "9464";

  @Option(
      names = "--raft-bind-address",
      description = "Address Raft listens on (default: the host of its peer address).")
  @Nullable String raftBindAddress;

  @Option(
      names = "--join",
      description =
          "Start empty and wait to be added with `raftmesh members add` (first start only).")
  boolean join;

  @Option(
      names = "--election-timeout-min",
      defaultValue = "300ms",
      description = "Lower bound of the election timeout (default: ${DEFAULT-VALUE}).")
  String electionTimeoutMin = "300ms";

  @Option(
      names = "--election-timeout-max",
      defaultValue = "600ms",
      description =
          "Upper bound of the election timeout; also how long without a leader before delta streams are shed (default: ${DEFAULT-VALUE}).")
  String electionTimeoutMax = "600ms";

  @Option(
      names = "--request-timeout",
      defaultValue = "10s",
      description = "Deadline of one store request, retries included (default: ${DEFAULT-VALUE}).")
  String requestTimeout = "10s";

  @Option(
      names = "--snapshot-threshold",
      defaultValue = "20000",
      description = "Raft log entries between snapshots (default: ${DEFAULT-VALUE}).")
  String snapshotThreshold = "20000";

  @Option(
      names = "--change-log-revisions",
      defaultValue = "100000",
      description =
          "Revisions kept for resuming delta streams, 0 for no limit (default: ${DEFAULT-VALUE}).")
  String changeLogRevisions = "100000";

  @Option(
      names = "--change-log-age",
      defaultValue = "24h",
      description =
          "Age after which change-log records are dropped, 0s for no limit (default: ${DEFAULT-VALUE}).")
  String changeLogAge = "24h";

  @Option(
      names = "--ack-flush-interval",
      defaultValue = "1s",
      description =
          "How often acknowledgements and liveness are written, batched (default: ${DEFAULT-VALUE}).")
  String ackFlushInterval = "1s";

  @Option(
      names = "--reaper-interval",
      defaultValue = "1s",
      description = "How often the leader checks for silent nodes (default: ${DEFAULT-VALUE}).")
  String reaperInterval = "1s";

  @Option(
      names = "--housekeeping-interval",
      defaultValue = "1m",
      description = "How often the leader drops expired records (default: ${DEFAULT-VALUE}).")
  String housekeepingInterval = "1m";

  @Option(
      names = "--handler-threads",
      defaultValue = "64",
      description = "Threads running RPC handlers (default: ${DEFAULT-VALUE}).")
  String handlerThreads = "64";

  @Option(
      names = "--xds",
      defaultValue = "true",
      arity = "1",
      description =
          "Serve Envoy's xDS (ADS) to Envoy and proxyless gRPC clients on the gRPC port (default: ${DEFAULT-VALUE}).")
  String xds = "true";

  @Option(
      names = "--xds-retention",
      defaultValue = "30s",
      description =
          "How long a removed xDS route or cluster stays available to clients still asking for it (default: ${DEFAULT-VALUE}).")
  String xdsRetention = "30s";

  @Option(
      names = "--telemetry-window",
      defaultValue = "60s",
      description =
          "How long agents' traffic summaries are kept in memory for raftmesh stats, 6s..1h (default: ${DEFAULT-VALUE}).")
  String telemetryWindow = "60s";

  @Option(
      names = "--telemetry-max-edges",
      defaultValue = "10000",
      description =
          "Distinct service-to-service edges the telemetry window holds at most; summaries of new edges beyond it are dropped and counted (default: ${DEFAULT-VALUE}).")
  String telemetryMaxEdges = "10000";

  @Override
  public Integer call() {
    ServerConfig serverConfig = settings();
    try {
      ServerMaterial.load(serverConfig, Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new UsageException(String.valueOf(e.getMessage()));
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    ControlServer server;
    try {
      server = ControlServer.start(serverConfig);
    } catch (IllegalArgumentException e) {
      throw new UsageException(String.valueOf(e.getMessage()));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "raftmesh-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return RaftmeshMain.OK;
  }

  /** The effective settings: flags, then environment, then the config file, then defaults. */
  ServerConfig settings() {
    applyConfigFile();
    return serverConfig();
  }

  /** Fills options not given as flags from the environment, then the {@code --config} file. */
  private void applyConfigFile() {
    if (config == null || config.isBlank()) {
      return;
    }
    if (!(spec.defaultValueProvider() instanceof SettingsSource source)) {
      throw new IllegalStateException("raftmesh server runs under RaftmeshMain's settings source");
    }
    SettingsSource withFile = source.withFile(Path.of(config));
    withFile
        .unknownFileKey(spec)
        .ifPresent(
            key -> {
              throw new UsageException(
                  "--config="
                      + config
                      + " is not valid: unknown setting \""
                      + key
                      + "\" (expected: option names without --, e.g. grpc-port)");
            });
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    for (OptionSpec option : spec.options()) {
      if (option.usageHelp()
          || option.versionHelp()
          || option.longestName().equals("--config")
          || parsed.hasMatchedOption(option)) {
        continue;
      }
      String value = withFile.defaultValue(option);
      if (value != null) {
        option.setValue(option.type() == boolean.class ? Boolean.parseBoolean(value) : value);
      }
    }
  }

  private ServerConfig serverConfig() {
    String id = required("--id", this.id);
    Map<String, String> peerMap = peers(required("--peers", peers), id);
    ServerConfig.Builder b =
        ServerConfig.builder(
                id,
                peerMap,
                Path.of(required("--data-dir", dataDir)),
                Path.of(required("--tls-dir", tlsDir)),
                Path.of(required("--kek-file", kekFile)))
            .clusterId(blankToNull(clusterId))
            .bindAddress(bindAddress)
            .grpcPort(port("--grpc-port", grpcPort, false))
            .advertiseAddress(blankToNull(advertiseAddress))
            .metricsPort(port("--metrics-port", metricsPort, true))
            .raftBindAddress(blankToNull(raftBindAddress))
            .issuerFile(blankToNull(issuerFile) == null ? null : Path.of(issuerFile))
            .joinExisting(join)
            .electionTimeout(
                positive("--election-timeout-min", electionTimeoutMin),
                positive("--election-timeout-max", electionTimeoutMax))
            .requestTimeout(positive("--request-timeout", requestTimeout))
            .snapshotThreshold(count("--snapshot-threshold", snapshotThreshold, 1))
            .changeLogRetention(
                count("--change-log-revisions", changeLogRevisions, 0),
                CliValues.duration("--change-log-age", changeLogAge))
            .ackFlushInterval(positive("--ack-flush-interval", ackFlushInterval))
            .reaperInterval(positive("--reaper-interval", reaperInterval))
            .housekeepingInterval(positive("--housekeeping-interval", housekeepingInterval))
            .handlerThreads((int) count("--handler-threads", handlerThreads, 2))
            .xds(bool("--xds", xds))
            .xdsRetention(CliValues.duration("--xds-retention", xdsRetention))
            .telemetryWindow(CliValues.duration("--telemetry-window", telemetryWindow))
            .telemetryMaxEdges(
                (int)
                    Math.min(
                        Integer.MAX_VALUE, count("--telemetry-max-edges", telemetryMaxEdges, 1)));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(String.valueOf(e.getMessage()));
    }
  }

  private static boolean bool(String option, String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new UsageException(option + "=" + value + " is not valid: expected true or false");
    };
  }

  private String required(String option, @Nullable String value) {
    if (value == null || value.isBlank()) {
      String env =
          spec.defaultValueProvider() instanceof SettingsSource s
              ? s.environmentVariable(spec.findOption(option))
              : option;
      throw new UsageException(
          option
              + " is required (as a flag, as "
              + env
              + ", or as "
              + option.substring(2)
              + ": in --config)");
    }
    return value;
  }

  static Map<String, String> peers(String text, String id) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String item : text.split(",")) {
      String t = item.trim();
      int eq = t.indexOf('=');
      if (t.isEmpty()) {
        continue;
      }
      if (eq <= 0 || t.lastIndexOf(':') < eq) {
        throw new UsageException(
            "--peers=" + text + " is not valid: \"" + t + "\" (expected: ID=HOST:PORT)");
      }
      if (out.put(t.substring(0, eq), t.substring(eq + 1)) != null) {
        throw new UsageException(
            "--peers=" + text + " is not valid: member " + t.substring(0, eq) + " is named twice");
      }
    }
    if (!out.containsKey(id)) {
      throw new UsageException(
          "--peers=" + text + " is not valid: it does not include this server (--id " + id + ")");
    }
    return out;
  }

  private static int port(String option, String text, boolean allowNone) {
    int p;
    try {
      p = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(option + "=" + text + " is not valid: not a port number");
    }
    if (p < (allowNone ? -1 : 0) || p > 65535) {
      throw new UsageException(
          option
              + "="
              + text
              + " is not valid: expected 0..65535"
              + (allowNone ? ", or -1 for none" : ""));
    }
    return p;
  }

  private static long count(String option, String text, long min) {
    long n;
    try {
      n = Long.parseLong(text.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException(option + "=" + text + " is not valid: not a whole number");
    }
    if (n < min) {
      throw new UsageException(option + "=" + text + " is not valid: expected at least " + min);
    }
    return n;
  }

  private static Duration positive(String option, String text) {
    Duration d = CliValues.duration(option, text);
    if (d.isZero()) {
      throw new UsageException(option + "=" + text + " is not valid: must be more than zero");
    }
    return d;
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
