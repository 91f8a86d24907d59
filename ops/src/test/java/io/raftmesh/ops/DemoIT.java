package io.raftmesh.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code ops/demo.sh --once} against the distribution this build assembled, as a newcomer
 * would, and checks what it shows: requests over mutual TLS with the frontend's SPIFFE ID at the
 * backend, the split, authorization refusals in the data plane and the control plane, plaintext
 * refused, {@code raftmesh status}; that every process it started is gone afterwards; and that the
 * Grafana dashboard and the alert rules only name metrics the processes really export (from the
 * scrapes the demo saved).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DemoIT {
  private static final String FRONTEND_ID = "spiffe://demo.raftmesh.local/ns/demo/sa/frontend";

  @TempDir static Path dir;
  static OpsFiles.Run demo;
  static Path run;

  @BeforeAll
  static void runTheDemo() {
    assertThat(OpsFiles.onPath("python3"))
        .as("python3 runs the demo's services (ops/prereqs.sh installs it)")
        .isNotNull();
    Path ops = OpsFiles.opsDir();
    run = dir.resolve("run");
    demo =
        OpsFiles.run(
            dir,
            9 * 60,
            List.of("bash", ops.resolve("demo.sh").toString(), "--once"),
            Map.of(
                "RAFTMESH_HOME", System.getProperty("raftmesh.dist"),
                "RAFTMESH_DEMO_DIR", run.toString()));
  }

  @Test
  void happyPathEndsWithRequestsOverMutualTlsCarryingTheFrontendsIdentity() {
    String out = demo.output();

    assertThat(demo.code()).as(out).isZero();
    assertThat(out)
        .contains("leader elected: n")
        .contains("agent node-a enrolled as spiffe://demo.raftmesh.local/node/node-a")
        .contains("agent node-b enrolled as spiffe://demo.raftmesh.local/node/node-b")
        .contains("summary: 20/20 succeeded")
        .contains("callers seen by the backend: " + FRONTEND_ID + "\n")
        .contains("the backend's proxy answered 403")
        .contains("plaintext request refused")
        .contains("PERMISSION_DENIED: spiffe://demo.raftmesh.local/node/node-b may not call")
        .contains("Identity: trust domain demo.raftmesh.local")
        .contains("demo: OK");
    // Every request was answered by a version of the split (80/20: v1 all but surely among them).
    Matcher split = Pattern.compile("backend versions: ([^;]+);").matcher(out);
    assertThat(split.find()).as(out).isTrue();
    int answered = 0;
    for (String part : split.group(1).split(" ")) {
      String[] kv = part.split("=");
      assertThat(kv[0]).isIn("v1", "v2");
      answered += Integer.parseInt(kv[1]);
    }
    assertThat(answered).isEqualTo(20);
    assertThat(split.group(1)).contains("v1=");
    // raftmesh stats shows the frontend -> backend edge, merged from the servers' windows.
    assertThat(out)
        .contains("servers: n1, n2, n3")
        .containsPattern("demo/backend +\\d{2,} +[0-9.]+ +100\\.00% ")
        .containsPattern("demo/frontend +demo/backend +\\d{2,} ");
    // raftmesh status lists both nodes with their ACKed revision.
    assertThat(out)
        .containsPattern("node-a +\\d+ +\\d+ +- ")
        .containsPattern("node-b +\\d+ +\\d+ +- ");
  }

  @Test
  void everyProcessTheDemoStartedIsStoppedWhenItExits() {
    Matcher m = Pattern.compile("started \\(pid (\\d+),").matcher(demo.output());
    List<Long> pids = new ArrayList<>();
    while (m.find()) {
      pids.add(Long.parseLong(m.group(1)));
    }

    assertThat(pids).as(demo.output()).hasSize(8);
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("pid %d alive after the demo", pid)
          .isFalse();
    }
    assertThat(demo.output()).contains("stopping 8 processes");
  }

  @Test
  void dashboardAndAlertRulesNameOnlyMetricsTheProcessesExport() throws IOException {
    Set<String> scraped = new TreeSet<>();
    try (Stream<Path> files = Files.list(run.resolve("metrics"))) {
      for (Path f : files.toList()) {
        scraped.addAll(OpsFiles.scrapedNames(OpsFiles.read(f)));
      }
    }
    assertThat(scraped).as("scraped names").contains("raftmesh_raft_term");

    JsonNode dashboard =
        OpsFiles.json(OpsFiles.opsDir().resolve("grafana/dashboards/raftmesh.json"));
    Set<String> dashboardNames =
        OpsFiles.metricNames(String.join("\n", DashboardQueries.expressions(dashboard)));
    assertThat(dashboardNames).hasSizeGreaterThan(30);
    assertThat(scraped).as("names the dashboard queries").containsAll(dashboardNames);

    Set<String> alertNames = new TreeSet<>();
    for (JsonNode alert : PrometheusRulesTest.alerts()) {
      alertNames.addAll(OpsFiles.metricNames(alert.path("expr").asText()));
    }
    assertThat(alertNames).hasSizeGreaterThan(8);
    assertThat(scraped).as("names the alert rules use").containsAll(alertNames);
  }
}
