package io.raftmesh.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.AgentConfigParser;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.config.Catalog;
import io.raftmesh.server.config.ResourceValidator;
import io.raftmesh.server.config.ResourceYaml;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example configs are what the real parsers and validators accept: the mesh the demo applies
 * (as `raftmesh apply` checks a batch) and every agent config shipped (the agent's own parser).
 */
class ExamplesTest {
  private static final Path OPS = OpsFiles.opsDir();

  @Test
  void demoMeshIsAValidBatchWithASplitRetriesAndAuthorization() {
    List<Resource> mesh = ResourceYaml.parse(OpsFiles.read(OPS.resolve("examples/mesh.yaml")));

    new ResourceValidator().validateBatch(mesh, Catalog.empty());
    assertThat(mesh)
        .extracting(Resource::getType)
        .contains(
            ResourceType.MESH_CONFIG,
            ResourceType.SERVICE,
            ResourceType.TRAFFIC_ROUTE,
            ResourceType.DESTINATION_POLICY,
            ResourceType.AUTHORIZATION_POLICY);
    Resource route =
        mesh.stream()
            .filter(r -> r.getType() == ResourceType.TRAFFIC_ROUTE)
            .findFirst()
            .orElseThrow();
    assertThat(route.getTrafficRoute().getRoutes(0).getSplitList())
        .extracting(t -> t.getSubset() + "=" + t.getWeight())
        .containsExactly("v1=80", "v2=20");
    assertThat(route.getTrafficRoute().getRoutes(0).getRetry().getAttempts()).isEqualTo(3);
    // The trust domain demo.sh bootstraps is the one the policy's source names.
    assertThat(OpsFiles.read(OPS.resolve("demo.sh"))).contains("trust_domain=demo.raftmesh.local");
    assertThat(OpsFiles.read(OPS.resolve("docker-compose.yml")))
        .contains("--trust-domain demo.raftmesh.local");
  }

  @ParameterizedTest
  @ValueSource(strings = {"examples/agent.yaml", "compose/agent-a.yaml", "compose/agent-b.yaml"})
  void agentConfigsParseWithTheAgentsParser(String file) {
    AgentConfig config = AgentConfigParser.parse(OpsFiles.read(OPS.resolve(file)), file, Map.of());

    assertThat(config.services()).isNotEmpty();
    assertThat(config.servers()).isNotEmpty();
  }
}
