package io.raftmesh.agent.testing;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.Agent;
import io.raftmesh.agent.AgentOptions;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.AgentConfigParser;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.health.HealthProbe;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/** Builds agent configs and options for tests against fake control servers. */
public final class AgentHarness {
  private AgentHarness() {}

  /** A config for node {@code node} with the given services YAML (may be empty). */
  public static AgentConfig config(
      String node, List<HostPort> servers, Path dataDir, String servicesYaml) {
    String yaml =
        "node: "
            + node
            + "\nservers: ["
            + servers.stream().map(HostPort::toString).collect(Collectors.joining(", "))
            + "]\ndata-dir: "
            + dataDir
            + "\nadmin-port: 0\nheartbeat-interval: 200ms\njoin-timeout: 3s\n"
            + "backoff-min: 50ms\nbackoff-max: 400ms\n"
            + servicesYaml;
    return AgentConfigParser.parse(yaml, "test.yaml", Map.of());
  }

  /** One local HTTP service {@code shop/web} without a health check. */
  public static String oneService() {
    return "services:\n"
        + "  - name: web\n"
        + "    namespace: shop\n"
        + "    protocol: http\n"
        + "    app-port: 18080\n"
        + "    inbound-port: 18443\n";
  }

  /** Options with a recording data plane and the given transport. */
  public static AgentOptions options(
      String token, RecordingDataPlane plane, ChannelFactory channels, HealthProbe probe) {
    return new AgentOptions(
        token,
        (config, td, registry) -> plane,
        channels,
        new PrometheusRegistry(),
        probe,
        Clock.systemUTC(),
        new SecureRandom(),
        RandomGenerator.getDefault(),
        "test");
  }

  /** Starts an agent, failing the test on interruption. */
  public static Agent start(AgentConfig config, AgentOptions options) {
    try {
      return Agent.start(config, options);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
