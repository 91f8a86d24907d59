package io.raftmesh.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.AgentConfigParser;
import io.raftmesh.agent.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh agent status}: asks the local agent's admin endpoint and prints its identity,
 * certificate expiries, applied revision, connected server, and the services and endpoints it
 * knows. The port comes from {@code --admin-port} (or {@code RAFTMESH_AGENT_ADMIN_PORT}), else the
 * config file, else {@code <data-dir>/admin.port}, else 15000.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows what the local agent runs with.")
final class StatusCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  @SuppressWarnings("NullAway.Init")
  CommandSpec spec;

  @Option(names = "--admin-address", description = "Admin endpoint address (default 127.0.0.1).")
  @Nullable String adminAddress;

  @Option(names = "--admin-port", description = "Admin endpoint port.")
  @Nullable Integer adminPort;

  @Option(names = "--config", description = "The agent's config file (to find its admin port).")
  @Nullable Path config;

  @Option(names = "--data-dir", description = "The agent's data dir (to find its admin port).")
  @Nullable Path dataDir;

  @Option(names = "--json", description = "Print the raw JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String address = adminAddress == null ? "127.0.0.1" : adminAddress;
    int port;
    try {
      port = resolvePort();
    } catch (InvalidConfigException e) {
      e.problems().forEach(p -> err.println("error: " + p));
      err.flush();
      return ExitCodes.USAGE;
    }
    String host = address.contains(":") ? "[" + address + "]" : address;
    URI uri = URI.create("http://" + host + ":" + port + "/status");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    JsonNode status;
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        err.println(
            "error: http, status => "
                + uri
                + ", "
                + response.statusCode()
                + ": "
                + response.body());
        err.flush();
        return ExitCodes.FAILURE;
      }
      status = JSON.readTree(response.body());
    } catch (ConnectException e) {
      err.println(
          "error: http, status => "
              + uri
              + ", connection refused (expected: a running agent; is its admin port "
              + port
              + "?)");
      err.flush();
      return ExitCodes.FAILURE;
    } catch (IOException e) {
      err.println("error: http, status => " + uri + ", " + e);
      err.flush();
      return ExitCodes.FAILURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.FAILURE;
    }
    if (json) {
      out.println(status.toPrettyString());
    } else {
      StatusPrinter.print(status, out);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private int resolvePort() {
    if (adminPort != null) {
      return adminPort;
    }
    Path dir = dataDir;
    if (config != null) {
      try {
        AgentConfig c =
            AgentConfigParser.parse(Files.readString(config), config.toString(), Map.of());
        if (c.adminPort() != 0) {
          return c.adminPort();
        }
        dir = dir == null ? c.dataDir() : dir;
      } catch (IOException e) {
        throw new InvalidConfigException(
            java.util.List.of("--config: \"" + config + "\" (expected: a readable file)"));
      }
    }
    Path portFile =
        (dir == null ? Path.of(AgentConfigParser.DEFAULT_DATA_DIR) : dir).resolve("admin.port");
    try {
      return Integer.parseInt(Files.readString(portFile).trim());
    } catch (IOException | NumberFormatException e) {
      return AgentConfigParser.DEFAULT_ADMIN_PORT;
    }
  }
}
