package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.cli.AgentMain;
import io.raftmesh.agent.cli.ExitCodes;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.FakeControlServer;
import io.raftmesh.agent.testing.FakeMesh;
import io.raftmesh.agent.testing.InProcessChannels;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.proto.v1.ResourceMeta;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftmesh agent status} against a running agent's loopback admin endpoint, and the
 * Prometheus series that endpoint exports.
 */
@Timeout(60)
class StatusCommandIT {
  @TempDir Path dir;

  @Test
  void statusPrintsIdentityExpiriesRevisionServerServicesAndNack() throws Exception {
    FakeMesh mesh = new FakeMesh(TestPki.create("mesh.test"));
    try (FakeControlServer server =
        FakeControlServer.inProcess("n1", mesh, FakeControlServer.sentLog())) {
      AgentConfig config =
          AgentHarness.config("node-s", List.of(server.address()), dir, AgentHarness.oneService());
      RecordingDataPlane plane = new RecordingDataPlane();
      try (Agent agent =
          AgentHarness.start(
              config,
              AgentHarness.options(
                  mesh.createToken(1, Duration.ofMinutes(1)),
                  plane,
                  new InProcessChannels(),
                  s -> new HealthProbe.Result(true, "ok")))) {
        assertThat(agent.awaitServing(Duration.ofSeconds(20))).isTrue();
        long good = mesh.put(FakeMesh.service("shop", "payments", "v1"));
        Eventually.await(Duration.ofSeconds(20), "applied", () -> agent.appliedRevision() == good);
        long bad =
            mesh.put(
                FakeMesh.service("shop", "broken", "v1").toBuilder()
                    .setMeta(ResourceMeta.newBuilder().putLabels("reject", "true"))
                    .build());
        Eventually.await(
            Duration.ofSeconds(20), "nack", () -> mesh.node("node-s").nackedRevision() == bad);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
            AgentMain.run(
                new String[] {"agent", "status", "--data-dir", dir.toString()},
                Map.of(),
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
        String text = out.toString();
        assertThat(text)
            .contains("node-s (spiffe://mesh.test/node/node-s)")
            .contains("revision " + agent.appliedRevision() + " (received " + bad + ")")
            .contains("connected to   " + server.address())
            .contains("last NACK      revision " + bad)
            .contains("labelled reject=true")
            .contains("spiffe://mesh.test/ns/shop/sa/web")
            .contains("shop/web")
            .contains("shop/payments")
            .contains(agent.certificates().get("node").current().notAfter().toString());

        HttpResponse<String> metrics =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + agent.adminPort() + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
            .contains("raftmesh_agent_applied_revision " + (double) agent.appliedRevision())
            .contains("raftmesh_agent_delta_nacks_total 1.0")
            .contains("raftmesh_agent_outage_budget_seconds")
            .contains("raftmesh_agent_certificate_expiration_timestamp_seconds{kind=\"workload\"}");
      }
    }
  }

  @Test
  void statusWithoutARunningAgentIsAClearFailure() {
    StringWriter err = new StringWriter();
    int code =
        AgentMain.run(
            new String[] {"status", "--admin-port", "1"},
            Map.of(),
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("connection refused").contains("admin port 1");
  }

  @Test
  void badConfigFileExitsWithUsageAndTheFieldPath() throws Exception {
    Path file = dir.resolve("agent.yaml");
    java.nio.file.Files.writeString(
        file,
        "node: n1\nservers: [a:1]\nservices:\n  - name: web\n    app-port: 80\n    inbound-port: x\n");
    StringWriter err = new StringWriter();
    int code =
        AgentMain.run(
            new String[] {"agent", "--config", file.toString()},
            Map.of("RAFTMESH_AGENT_ADMIN_PORT", "-4"),
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains("error: services[0].inbound-port: \"x\" (expected: an integer 1..65535)")
        .contains("error: RAFTMESH_AGENT_ADMIN_PORT: \"-4\" (expected: an integer 0..65535)");
  }
}
