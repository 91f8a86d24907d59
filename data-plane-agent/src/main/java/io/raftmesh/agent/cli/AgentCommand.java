package io.raftmesh.agent.cli;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.AgentOptions;
import io.raftmesh.agent.AgentStartException;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.AgentConfigParser;
import io.raftmesh.agent.config.InvalidConfigException;
import io.raftmesh.agent.identity.EnrollmentException;
import io.raftmesh.ca.token.InvalidJoinTokenException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh agent}: runs the node agent until SIGTERM/SIGINT, then deregisters and stops.
 * Every option has an environment variable ({@code --admin-port}: {@code
 * RAFTMESH_AGENT_ADMIN_PORT}); precedence is flag &gt; environment &gt; config file &gt; default.
 */
@Command(
    name = "raftmesh agent",
    mixinStandardHelpOptions = true,
    versionProvider = AgentCommand.Version.class,
    description = "Runs the raftmesh node agent.",
    subcommands = {StatusCommand.class})
final class AgentCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

  @Spec
  @SuppressWarnings("NullAway.Init")
  CommandSpec spec;

  @Option(names = "--config", description = "YAML config file (node, servers, services, ...).")
  @Nullable Path config;

  @Option(
      names = "--join",
      description = "Join token for the first start (from `raftmesh token create`).")
  @Nullable String join;

  @Option(names = "--node", description = "This node's name (a DNS label).")
  @Nullable String node;

  @Option(names = "--servers", description = "Control servers, host:port,host:port,...")
  @Nullable String servers;

  @Option(
      names = "--data-dir",
      description = "Identity and config cache (default /var/lib/raftmesh/agent).")
  @Nullable String dataDir;

  @Option(
      names = "--advertise-address",
      description = "Address other nodes dial to reach this node.")
  @Nullable String advertiseAddress;

  @Option(
      names = "--inbound-address",
      description = "Bind address of inbound listeners (default 0.0.0.0).")
  @Nullable String inboundAddress;

  @Option(
      names = "--outbound-address",
      description = "Bind address of outbound listeners (default 127.0.0.1).")
  @Nullable String outboundAddress;

  @Option(
      names = "--admin-address",
      description = "Admin endpoint address, loopback (default 127.0.0.1).")
  @Nullable String adminAddress;

  @Option(names = "--admin-port", description = "Admin endpoint port (default 15000; 0 = any).")
  @Nullable String adminPort;

  @Option(
      names = "--metrics-address",
      description =
          "host:port of a listener serving only /metrics and /healthz, for a Prometheus on another"
              + " host (e.g. 0.0.0.0:15090; default: none, metrics only on the loopback admin"
              + " endpoint).")
  @Nullable String metricsAddress;

  @Option(
      names = "--heartbeat-interval",
      description = "Heartbeat interval until a server says otherwise (default 5s).")
  @Nullable String heartbeatInterval;

  @Option(
      names = "--telemetry-interval",
      description =
          "How often traffic summaries go to the control plane for raftmesh stats (default 5s).")
  @Nullable String telemetryInterval;

  @Option(
      names = "--join-timeout",
      description = "How long a first start tries to reach a server (default 60s).")
  @Nullable String joinTimeout;

  @Option(names = "--backoff-min", description = "First retry delay (default 200ms).")
  @Nullable String backoffMin;

  @Option(names = "--backoff-max", description = "Largest retry delay (default 15s).")
  @Nullable String backoffMax;

  @Option(
      names = "--data-plane",
      description =
          "proxy (the sidecar proxy) or none (control side only). Default: ${DEFAULT-VALUE}.",
      defaultValue = DataPlanes.DEFAULT)
  String dataPlane = DataPlanes.DEFAULT;

  private final Map<String, String> env;

  AgentCommand(Map<String, String> env) {
    this.env = env;
  }

  /** Prints the build version. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"raftmesh agent " + AgentMain.version()};
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    AgentConfig agentConfig;
    try {
      agentConfig = loadConfig();
    } catch (InvalidConfigException e) {
      for (String problem : e.problems()) {
        err.println("error: " + problem);
      }
      err.flush();
      return ExitCodes.USAGE;
    }
    AgentOptions.DataPlaneFactory plane = DataPlanes.byName(dataPlane);
    log.info(
        "effective config node={} servers={} data_dir={} advertise={} inbound={} outbound={}"
            + " admin={}:{} services={} data_plane={} join={} jvm_uptime_ms={}",
        agentConfig.nodeName(),
        agentConfig.servers(),
        agentConfig.dataDir(),
        agentConfig.advertiseAddress(),
        agentConfig.inboundAddress(),
        agentConfig.outboundAddress(),
        agentConfig.adminAddress(),
        agentConfig.adminPort(),
        agentConfig.services().size(),
        dataPlane,
        join == null ? "none" : "(redacted)",
        java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
    AgentOptions options = AgentOptions.defaults(join, AgentMain.version()).withDataPlane(plane);
    Agent agent;
    try {
      agent = Agent.start(agentConfig, options);
    } catch (InvalidJoinTokenException e) {
      err.println("error: --join: " + e.getMessage());
      err.flush();
      return ExitCodes.USAGE;
    } catch (EnrollmentException e) {
      err.println("error: enrollment failed: " + e.getMessage());
      err.flush();
      return ExitCodes.of(e);
    } catch (AgentStartException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return ExitCodes.of(e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              agent.close();
              stopped.countDown();
            },
            "raftmesh-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
      Throwable fatal = agent.fatalError().getNow(null);
      if (fatal != null) {
        err.println("error: " + fatal.getMessage());
        err.flush();
        Runtime.getRuntime().removeShutdownHook(hook);
        agent.close();
        return ExitCodes.FAILURE;
      }
    }
    return ExitCodes.OK;
  }

  AgentConfig loadConfig() {
    String yaml = null;
    String fileName = "(no config file)";
    if (config != null) {
      fileName = config.toString();
      try {
        yaml = Files.readString(config);
      } catch (NoSuchFileException e) {
        throw new InvalidConfigException(
            java.util.List.of("--config: \"" + config + "\" (expected: an existing file)"));
      } catch (IOException e) {
        throw new InvalidConfigException(
            java.util.List.of(
                "--config: \""
                    + config
                    + "\" (expected: a readable file: "
                    + e.getMessage()
                    + ")"));
      }
    }
    Map<String, AgentConfigParser.Setting> overrides = new LinkedHashMap<>();
    put(overrides, "node", node);
    put(overrides, "servers", servers);
    put(overrides, "data-dir", dataDir);
    put(overrides, "advertise-address", advertiseAddress);
    put(overrides, "inbound-address", inboundAddress);
    put(overrides, "outbound-address", outboundAddress);
    put(overrides, "admin-address", adminAddress);
    put(overrides, "admin-port", adminPort);
    put(overrides, "heartbeat-interval", heartbeatInterval);
    put(overrides, "telemetry-interval", telemetryInterval);
    put(overrides, "metrics-address", metricsAddress);
    put(overrides, "join-timeout", joinTimeout);
    put(overrides, "backoff-min", backoffMin);
    put(overrides, "backoff-max", backoffMax);
    return AgentConfigParser.parse(yaml, fileName, overrides);
  }

  private void put(
      Map<String, AgentConfigParser.Setting> overrides, String name, @Nullable String value) {
    if (value == null) {
      return;
    }
    boolean flag = spec.commandLine().getParseResult().hasMatchedOption("--" + name);
    String source = flag ? "--" + name : EnvDefaults.variable(name);
    overrides.put(name, new AgentConfigParser.Setting(value, source));
  }

  Map<String, String> env() {
    return env;
  }
}
