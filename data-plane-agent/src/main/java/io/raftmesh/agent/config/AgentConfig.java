package io.raftmesh.agent.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The agent's effective configuration (file, environment and flags merged; see {@link
 * AgentConfigParser}). Immutable; valid by construction of the parser.
 *
 * @param nodeName this node's name, a DNS label; its identity is {@code spiffe://<td>/node/<name>}
 * @param servers control servers to dial ({@code host:port}), at least one
 * @param dataDir where the identity, workload certificates and the config cache live
 * @param advertiseAddress the address other nodes dial to reach this node's inbound listeners
 * @param inboundAddress where inbound listeners bind
 * @param outboundAddress where outbound (application-facing) listeners bind, normally loopback
 * @param adminAddress where the admin endpoint binds (loopback only)
 * @param adminPort the admin endpoint's port (0: any free port, written to {@code
 *     <data-dir>/admin.port})
 * @param metricsAddress where a second HTTP listener serves only {@code GET /metrics} and {@code
 *     GET /healthz} for a Prometheus on another host (the admin endpoint stays loopback-only);
 *     empty: none
 * @param heartbeatInterval how often to heartbeat until a server says otherwise
 * @param telemetryInterval how often the proxy's traffic summaries are reported to the control
 *     plane (for {@code raftmesh stats})
 * @param joinTimeout how long a first start keeps trying to reach a server to enroll
 * @param backoffMin the first retry delay after a failed call or stream
 * @param backoffMax the largest retry delay
 * @param services the node's local services
 */
public record AgentConfig(
    String nodeName,
    List<HostPort> servers,
    Path dataDir,
    String advertiseAddress,
    String inboundAddress,
    String outboundAddress,
    String adminAddress,
    int adminPort,
    Optional<HostPort> metricsAddress,
    Duration heartbeatInterval,
    Duration telemetryInterval,
    Duration joinTimeout,
    Duration backoffMin,
    Duration backoffMax,
    List<LocalServiceConfig> services) {

  /** Copies the lists and checks what the parser cannot get wrong. */
  public AgentConfig {
    requireNonNull(nodeName, "nodeName");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(advertiseAddress, "advertiseAddress");
    requireNonNull(inboundAddress, "inboundAddress");
    requireNonNull(outboundAddress, "outboundAddress");
    requireNonNull(adminAddress, "adminAddress");
    requireNonNull(metricsAddress, "metricsAddress");
    requireNonNull(heartbeatInterval, "heartbeatInterval");
    requireNonNull(telemetryInterval, "telemetryInterval");
    requireNonNull(joinTimeout, "joinTimeout");
    requireNonNull(backoffMin, "backoffMin");
    requireNonNull(backoffMax, "backoffMax");
    servers = List.copyOf(servers);
    services = List.copyOf(services);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("servers: [] (expected: at least one host:port)");
    }
    if (backoffMin.compareTo(backoffMax) > 0) {
      throw new IllegalArgumentException(
          "backoffMin: " + backoffMin + " (expected: <= backoffMax " + backoffMax + ")");
    }
  }

  /** The local service named {@code namespace/name}, or null. */
  public @org.jspecify.annotations.Nullable LocalServiceConfig service(
      String namespace, String name) {
    for (LocalServiceConfig s : services) {
      if (s.namespace().equals(namespace) && s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
