package io.raftmesh.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What can be checked of the container and Kubernetes files without a Docker engine or a cluster:
 * they parse, name the services and objects the docs promise, and refer to things that exist.
 */
@Timeout(60)
class DeploymentFilesTest {
  private static final Path OPS = OpsFiles.opsDir();

  @Test
  void composeFileHasThreeServersTwoAgentsTheDemoServicesPrometheusAndGrafana() {
    JsonNode compose = OpsFiles.yamlDocuments(OPS.resolve("docker-compose.yml")).get(0);
    JsonNode services = compose.path("services");
    Set<String> names = new TreeSet<>();
    services.fieldNames().forEachRemaining(names::add);

    assertThat(names)
        .contains(
            "server-1",
            "server-2",
            "server-3",
            "agent-a",
            "agent-b",
            "backend-v1",
            "backend-v2",
            "frontend",
            "prometheus",
            "grafana");
    for (String server : List.of("server-1", "server-2", "server-3")) {
      String args = String.join(" ", texts(services.path(server).path("command")));
      assertThat(args)
          .as(server)
          .contains("--id=" + server)
          .contains("--peers=server-1=server-1:7000,server-2=server-2:7000,server-3=server-3:7000")
          .contains("--tls-dir=/etc/raftmesh/pki/servers/" + server);
    }
  }

  @Test
  void composeReferencesOnlyServicesAndFilesThatExist() {
    JsonNode compose = OpsFiles.yamlDocuments(OPS.resolve("docker-compose.yml")).get(0);
    JsonNode services = compose.path("services");
    Set<String> names = new TreeSet<>();
    services.fieldNames().forEachRemaining(names::add);
    Set<String> volumes = new TreeSet<>();
    compose.path("volumes").fieldNames().forEachRemaining(volumes::add);

    services
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode s = e.getValue();
              String mode = s.path("network_mode").asText("");
              if (mode.startsWith("service:")) {
                assertThat(names).as("%s network_mode", e.getKey()).contains(mode.substring(8));
              }
              JsonNode deps = s.path("depends_on");
              List<String> depNames = new ArrayList<>();
              if (deps.isArray()) {
                depNames.addAll(texts(deps));
              } else {
                deps.fieldNames().forEachRemaining(depNames::add);
              }
              assertThat(names).as("%s depends_on", e.getKey()).containsAll(depNames);
              for (String mount : texts(s.path("volumes"))) {
                String source = mount.split(":")[0];
                if (source.startsWith("./")) {
                  assertThat(OPS.resolve(source)).as("%s mounts %s", e.getKey(), source).exists();
                } else {
                  assertThat(volumes)
                      .as("%s mounts volume %s", e.getKey(), source)
                      .contains(source);
                }
              }
            });

    // Prometheus scrapes hosts the compose file defines.
    JsonNode prometheus = OpsFiles.yamlDocuments(OPS.resolve("prometheus/prometheus.yml")).get(0);
    for (JsonNode job : prometheus.path("scrape_configs")) {
      for (JsonNode target : job.path("static_configs").get(0).path("targets")) {
        assertThat(names).as("scrape target %s", target).contains(target.asText().split(":")[0]);
      }
    }
  }

  @Test
  void dockerfileCopiesTheDistributionLayoutAndRunsBinRaftmesh() {
    String dockerfile = OpsFiles.read(OPS.resolve("Dockerfile"));
    String dist = OpsFiles.read(OPS.resolve("src/assembly/dist.xml"));

    Matcher copy =
        Pattern.compile("COPY --from=build /src/(\\S+) /opt/raftmesh/\\s").matcher(dockerfile);
    assertThat(copy.find()).as("COPY of the distribution into /opt/raftmesh").isTrue();
    // The path the assembly writes (ops/pom.xml: finalName raftmesh-${project.version}, format
    // dir).
    assertThat(copy.group(1)).isEqualTo("ops/target/raftmesh-${VERSION}/raftmesh-${VERSION}/");
    assertThat(dockerfile).contains("ENTRYPOINT [\"/opt/raftmesh/bin/raftmesh\"]");
    for (String dir : List.of("bin", "lib/server", "lib/agent", "examples", "demo", "conf")) {
      assertThat(dist).as("dist.xml output %s", dir).contains("<outputDirectory>" + dir + "<");
    }
    // The compose file's demo services run the scripts the image's demo/ holds.
    assertThat(OPS.resolve("demo/backend.py")).exists();
    assertThat(OPS.resolve("demo/frontend.py")).exists();
  }

  @Test
  void kubernetesManifestsHaveTheServerStatefulSetAgentDaemonSetAndSecrets() {
    List<JsonNode> objects = new ArrayList<>();
    Set<String> files = new TreeSet<>();
    for (JsonNode resource :
        OpsFiles.yamlDocuments(OPS.resolve("kubernetes/kustomization.yaml"))
            .get(0)
            .path("resources")) {
      files.add(resource.asText());
      objects.addAll(OpsFiles.yamlDocuments(OPS.resolve("kubernetes").resolve(resource.asText())));
    }
    assertThat(files).allSatisfy(f -> assertThat(OPS.resolve("kubernetes").resolve(f)).exists());
    Set<String> kinds = new TreeSet<>();
    for (JsonNode o : objects) {
      assertThat(o.path("apiVersion").asText())
          .as("apiVersion of %s", o.path("metadata"))
          .isNotBlank();
      assertThat(o.path("metadata").path("name").asText()).isNotBlank();
      kinds.add(o.path("kind").asText() + "/" + o.path("metadata").path("name").asText());
    }
    assertThat(kinds)
        .contains(
            "StatefulSet/raftmesh-server",
            "Service/raftmesh-server-peers",
            "PodDisruptionBudget/raftmesh-server",
            "DaemonSet/raftmesh-agent",
            "Secret/raftmesh-kek",
            "Secret/raftmesh-join-token");

    JsonNode sts = find(objects, "StatefulSet", "raftmesh-server");
    JsonNode headless = find(objects, "Service", "raftmesh-server-peers");
    assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
    assertThat(sts.path("spec").path("serviceName").asText()).isEqualTo("raftmesh-server-peers");
    assertThat(sts.path("spec").path("volumeClaimTemplates")).isNotEmpty();
    assertThat(
            sts.path("spec").path("template").path("spec").path("affinity").path("podAntiAffinity"))
        .isNotEmpty();
    // --peers names exactly the StatefulSet's pods.
    int replicas = sts.path("spec").path("replicas").asInt();
    String args =
        String.join(
            " ",
            texts(
                sts.path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0)
                    .path("args")));
    for (int i = 0; i < replicas; i++) {
      assertThat(args)
          .contains("raftmesh-server-" + i + "=raftmesh-server-" + i + ".raftmesh-server-peers.");
    }
    assertThat(args).doesNotContain("raftmesh-server-" + replicas + "=");
    // Every Secret a pod mounts or reads is defined.
    Set<String> secrets = new TreeSet<>();
    objects.stream()
        .filter(o -> o.path("kind").asText().equals("Secret"))
        .forEach(o -> secrets.add(o.path("metadata").path("name").asText()));
    Set<String> used = new TreeSet<>();
    Matcher m =
        Pattern.compile("secret(?:Name|KeyRef\":\\{\"name)\":\"([a-z0-9-]+)\"")
            .matcher(objects.toString());
    while (m.find()) {
      used.add(m.group(1));
    }
    assertThat(used).isNotEmpty();
    assertThat(secrets).containsAll(used);
  }

  @Test
  void grafanaDashboardIsValidJsonWithPrometheusQueries() {
    JsonNode dashboard = OpsFiles.json(OPS.resolve("grafana/dashboards/raftmesh.json"));
    List<String> exprs = DashboardQueries.expressions(dashboard);

    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(exprs).hasSizeGreaterThan(20);
    assertThat(OpsFiles.metricNames(String.join("\n", exprs)))
        .contains(
            "raftmesh_raft_has_leader",
            "raftmesh_store_applied_index",
            "raftmesh_agent_outage_budget_seconds",
            "raftmesh_proxy_requests_total");
    assertThat(Files.exists(OPS.resolve("grafana/provisioning/dashboards/raftmesh.yml"))).isTrue();
  }

  private static JsonNode find(List<JsonNode> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + "/" + name + " not found"));
  }

  private static List<String> texts(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else if (!node.isMissingNode()) {
      out.add(node.asText());
    }
    return out;
  }
}
