package io.raftmesh.chaos.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftmesh.chaos.cluster.Distribution;
import io.raftmesh.chaos.process.ProcessSpec;
import io.raftmesh.chaos.process.ProcessSupervisor;
import io.raftmesh.chaos.process.SupervisedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node agents of the traffic workload: {@code bin/raftmesh agent} processes from the
 * distribution, each with a config file written here, enrolled with one join token against the
 * cluster's servers, in the harness's (root) network namespace on loopback. Their admin endpoint
 * ({@code /status}) tells which config revision each one applied. {@link #close()} stops them.
 */
final class AgentNodes implements AutoCloseable {
  /** One agent's settings. */
  record Node(String name, int adminPort, String servicesYaml) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(5));
  private final Map<String, SupervisedProcess> running = new LinkedHashMap<>();
  private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path dir;

  AgentNodes(Path dir) {
    this.dir = dir;
  }

  /** Writes {@code node}'s config and starts its agent with {@code token}. */
  void start(Distribution dist, List<String> servers, String token, Node node) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Path config = dir.resolve(node.name() + ".yaml");
    String yaml =
        "node: "
            + node.name()
            + "\nservers: ["
            + String.join(", ", servers)
            + "]\ndata-dir: "
            + dir.resolve("data").resolve(node.name())
            + "\ninbound-address: 127.0.0.1\nadmin-port: "
            + node.adminPort()
            + "\nbackoff-max: 2s\nservices:\n"
            + node.servicesYaml();
    Files.writeString(config, yaml);
    ProcessSpec spec =
        ProcessSpec.of(
            "agent-" + node.name(),
            dist.command(List.of("agent", "--config", config.toString(), "--join", token)),
            dir.resolve("logs").resolve("agent-" + node.name() + ".log"));
    for (Map.Entry<String, String> e : dist.environment().entrySet()) {
      spec = spec.withEnv(e.getKey(), e.getValue());
    }
    running.put(node.name(), supervisor.start(spec));
    adminPorts.put(node.name(), node.adminPort());
  }

  List<String> names() {
    return List.copyOf(running.keySet());
  }

  /** Whether {@code name}'s process runs. */
  boolean alive(String name) {
    SupervisedProcess p = running.get(name);
    return p != null && p.isAlive();
  }

  Path logFile(String name) {
    return dir.resolve("logs").resolve("agent-" + name + ".log");
  }

  /** {@code name}'s {@code /status} JSON, or empty when it does not answer. */
  Optional<JsonNode> status(String name) {
    Integer port = adminPorts.get(name);
    if (port == null) {
      throw new IllegalArgumentException("agent: " + name + " (expected: one of " + names() + ")");
    }
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The config revision {@code name} applied, or -1 when it does not answer. */
  long appliedRevision(String name) {
    return status(name).map(s -> s.path("applied_revision").asLong(-1)).orElse(-1L);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  @Override
  public void close() {
    supervisor.close();
  }
}
