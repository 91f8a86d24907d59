package io.raftmesh.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.raftmesh.proto.v1.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigParserTest {
  private static final String FULL =
      """
      node: web-1
      servers: [10.0.0.1:7443, "[::1]:7443"]
      data-dir: /tmp/agent
      advertise-address: 10.0.0.5
      admin-port: 15001
      heartbeat-interval: 2s
      services:
        - name: checkout
          namespace: shop
          protocol: http
          app-port: 8080
          inbound-port: 15443
          outbound-port: 15080
          labels: {version: v2}
          weight: 3
          health:
            http-path: /healthz
            interval: 5s
            timeout: 500ms
            healthy-threshold: 1
            unhealthy-threshold: 2
          upstreams:
            - payments
            - other/db
            - service: cache
              local-port: 16379
      """;

  @Test
  void parsesEveryFieldOfAFullFile() {
    AgentConfig c = AgentConfigParser.parse(FULL, "agent.yaml", Map.of());
    assertThat(c.nodeName()).isEqualTo("web-1");
    assertThat(c.servers())
        .containsExactly(new HostPort("10.0.0.1", 7443), new HostPort("::1", 7443));
    assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/agent"));
    assertThat(c.advertiseAddress()).isEqualTo("10.0.0.5");
    assertThat(c.adminAddress()).isEqualTo("127.0.0.1");
    assertThat(c.adminPort()).isEqualTo(15001);
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    LocalServiceConfig s = c.services().get(0);
    assertThat(s.qualifiedName()).isEqualTo("shop/checkout");
    assertThat(s.protocol()).isEqualTo(Protocol.HTTP);
    assertThat(s.labels()).containsEntry("version", "v2");
    assertThat(s.weight()).isEqualTo(3);
    assertThat(s.health().kind()).isEqualTo(HealthCheckConfig.Kind.HTTP);
    assertThat(s.health().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.upstreams())
        .containsExactly(
            new UpstreamConfig("shop", "payments", 0),
            new UpstreamConfig("other", "db", 0),
            new UpstreamConfig("shop", "cache", 16379));
  }

  @Test
  void reportsEveryProblemWithItsFieldPath() {
    String yaml =
        """
        node: Web_1
        servers: [nohost]
        admin-address: 10.1.2.3
        colour: blue
        services:
          - name: checkout
            app-port: 99999
            protocol: smtp
            health:
              interval: "10"
              tcp: true
            upstreams:
              - payments
        """;
    InvalidConfigException e =
        catchThrowableOfType(
            InvalidConfigException.class,
            () -> AgentConfigParser.parse(yaml, "agent.yaml", Map.of()));
    assertThat(e.problems())
        .contains(
            "node: \"Web_1\" (expected: a DNS label: 1-63 characters of a-z 0-9 -, not starting or"
                + " ending with -)",
            "servers[0]: \"nohost\" (expected: host:port)",
            "admin-address: \"10.1.2.3\" (expected: a loopback address: the admin endpoint is local"
                + " only)",
            "services[0].app-port: \"99999\" (expected: an integer 1..65535)",
            "services[0].inbound-port: missing (expected: a port 1..65535)",
            "services[0].protocol: \"smtp\" (expected: one of tcp, http, http2, grpc)",
            "services[0].health.interval: \"10\" (expected: a duration with a unit, e.g. 10s, 500ms,"
                + " 1m)")
        .anySatisfy(p -> assertThat(p).startsWith("colour: unknown field (expected: one of "))
        .anySatisfy(p -> assertThat(p).startsWith("services[0].outbound-port: missing"));
  }

  @Test
  void flagsAndEnvironmentOverrideTheFileAndNameTheirSourceInErrors() {
    AgentConfig c =
        AgentConfigParser.parse(
            FULL,
            "agent.yaml",
            Map.of(
                "admin-port", new AgentConfigParser.Setting("0", "--admin-port"),
                "servers", new AgentConfigParser.Setting("a:1,b:2", "RAFTMESH_AGENT_SERVERS")));
    assertThat(c.adminPort()).isZero();
    assertThat(c.servers()).containsExactly(new HostPort("a", 1), new HostPort("b", 2));
    assertThat(c.nodeName()).isEqualTo("web-1");

    assertThatThrownBy(
            () ->
                AgentConfigParser.parse(
                    FULL,
                    "agent.yaml",
                    Map.of(
                        "admin-port",
                        new AgentConfigParser.Setting("abc", "RAFTMESH_AGENT_ADMIN_PORT"))))
        .hasMessageStartingWith(
            "RAFTMESH_AGENT_ADMIN_PORT: \"abc\" (expected: an integer 0..65535)");
  }

  @Test
  void defaultsApplyWithoutAFile() {
    AgentConfig c =
        AgentConfigParser.parse(
            null,
            "(none)",
            Map.of(
                "node", new AgentConfigParser.Setting("n1", "--node"),
                "servers", new AgentConfigParser.Setting("127.0.0.1:7443", "--servers")));
    assertThat(c.dataDir()).isEqualTo(Path.of(AgentConfigParser.DEFAULT_DATA_DIR));
    assertThat(c.adminPort()).isEqualTo(AgentConfigParser.DEFAULT_ADMIN_PORT);
    assertThat(c.inboundAddress()).isEqualTo("0.0.0.0");
    assertThat(c.services()).isEmpty();
  }

  @Test
  void metricsAddressIsOptionalAndABadOneNamesItsSource() {
    Map<String, AgentConfigParser.Setting> base =
        Map.of(
            "node", new AgentConfigParser.Setting("n1", "--node"),
            "servers", new AgentConfigParser.Setting("127.0.0.1:7443", "--servers"));
    assertThat(AgentConfigParser.parse(null, "(none)", base).metricsAddress()).isEmpty();

    Map<String, AgentConfigParser.Setting> withMetrics = new java.util.HashMap<>(base);
    withMetrics.put(
        "metrics-address", new AgentConfigParser.Setting("0.0.0.0:15090", "--metrics-address"));
    assertThat(AgentConfigParser.parse(null, "(none)", withMetrics).metricsAddress())
        .contains(new HostPort("0.0.0.0", 15090));

    withMetrics.put(
        "metrics-address",
        new AgentConfigParser.Setting("0.0.0.0", "RAFTMESH_AGENT_METRICS_ADDRESS"));
    assertThatThrownBy(() -> AgentConfigParser.parse(null, "(none)", withMetrics))
        .hasMessageContaining("RAFTMESH_AGENT_METRICS_ADDRESS")
        .hasMessageContaining("\"0.0.0.0\" (expected: host:port, e.g. 0.0.0.0:15090)");
  }

  @Test
  void rejectsPortsUsedTwiceAndBrokenYaml() {
    String yaml =
        """
        node: a
        servers: [s:1]
        services:
          - {name: x, app-port: 1, inbound-port: 9000}
          - {name: y, app-port: 2, inbound-port: 9000}
        """;
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "f.yaml", Map.of()))
        .hasMessageContaining(
            "services[1].inbound-port: 9000 (expected: a port no other listener uses; services[0].inbound-port)");
    assertThatThrownBy(() -> AgentConfigParser.parse("node: [unclosed", "f.yaml", Map.of()))
        .hasMessageStartingWith("f.yaml:");
  }
}
