package io.raftmesh.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alert rules and scrape config of ops/prometheus: the alerts the operator's guide promises
 * exist, and promtool (Debian's prometheus package; skipped when absent) accepts the files and
 * passes the rules' unit tests.
 */
@Timeout(120)
class PrometheusRulesTest {
  private static final Path PROMETHEUS = OpsFiles.opsDir().resolve("prometheus");
  private static final Path RULES = PROMETHEUS.resolve("rules/raftmesh-alerts.yml");

  static List<JsonNode> alerts() {
    List<JsonNode> alerts = new ArrayList<>();
    for (JsonNode group : OpsFiles.yamlDocuments(RULES).get(0).path("groups")) {
      group.path("rules").forEach(alerts::add);
    }
    return alerts;
  }

  @Test
  void alertRulesCoverLeaderLagRevisionNacksCertificatesAndAuthorization() {
    Set<String> names = new TreeSet<>();
    for (JsonNode alert : alerts()) {
      names.add(alert.path("alert").asText());
      assertThat(alert.path("labels").path("severity").asText())
          .as("severity of %s", alert.path("alert"))
          .isIn("warning", "critical");
      assertThat(alert.path("annotations").path("summary").asText())
          .as("summary of %s", alert.path("alert"))
          .isNotBlank();
    }
    assertThat(names)
        .contains(
            "RaftmeshNoLeader",
            "RaftmeshAppliedIndexLagging",
            "RaftmeshAgentBehindOnRevision",
            "RaftmeshConfigNacked",
            "RaftmeshCertificateExpiresWithinOutageBudget",
            "RaftmeshAuthorizationDenialsSpiking");
  }

  @Test
  void promtoolAcceptsTheRulesAndTheScrapeConfig() {
    Path promtool = OpsFiles.onPath("promtool");
    assumeTrue(promtool != null, "promtool not installed (apt-get install prometheus)");

    OpsFiles.Run rules =
        OpsFiles.run(
            PROMETHEUS, 60, List.of(promtool.toString(), "check", "rules", RULES.toString()));
    assertThat(rules.code()).as(rules.output()).isZero();
    assertThat(rules.output()).contains("SUCCESS");

    OpsFiles.Run config =
        OpsFiles.run(
            PROMETHEUS, 60, List.of(promtool.toString(), "check", "config", "prometheus.yml"));
    assertThat(config.code()).as(config.output()).isZero();
  }

  @Test
  void alertRulesPassTheirUnitTests() {
    Path promtool = OpsFiles.onPath("promtool");
    assumeTrue(promtool != null, "promtool not installed (apt-get install prometheus)");

    OpsFiles.Run run =
        OpsFiles.run(
            PROMETHEUS,
            60,
            List.of(promtool.toString(), "test", "rules", "tests/raftmesh-alerts.test.yml"));

    assertThat(run.code()).as(run.output()).isZero();
    assertThat(run.output()).contains("SUCCESS");
  }
}
