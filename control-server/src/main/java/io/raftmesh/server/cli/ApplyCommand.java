package io.raftmesh.server.cli;

import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ApplyResponse;
import io.raftmesh.proto.v1.ApplyResult;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.server.config.InvalidResourceException;
import io.raftmesh.server.config.ResourceKeys;
import io.raftmesh.server.config.ResourceKind;
import io.raftmesh.server.config.ResourceYaml;
import io.raftmesh.server.config.Violations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh apply -f FILE}: creates or replaces the resources of one or more YAML files in
 * one atomic write. With {@code --wait}, blocks until every live node acknowledged the new revision
 * (or the wait times out, naming the stragglers).
 */
@Command(
    name = "apply",
    description = "Create or replace resources from YAML files, atomically.",
    mixinStandardHelpOptions = true)
final class ApplyCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ClientOptions client;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      description = "YAML file(s); - reads standard input.")
  List<String> files = new ArrayList<>();

  @Option(names = "--dry-run", description = "Validate on the server; write nothing.")
  boolean dryRun;

  @Option(
      names = "--compare-revisions",
      description =
          "Write only if each resource's metadata.modRevision still matches (0: must not exist).")
  boolean compareRevisions;

  @Option(
      names = "--wait",
      description = "Wait until every live node has acknowledged the new revision.")
  boolean await;

  @Option(
      names = "--wait-timeout",
      defaultValue = "60s",
      description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  String waitTimeout = "60s";

  private CliContext context() {
    return client.contextOrThrow();
  }

  @Override
  public Integer call() throws Exception {
    Duration waitFor = CliValues.duration("--wait-timeout", waitTimeout);
    List<Resource> resources = new ArrayList<>();
    for (String f : files) {
      String text = read(f);
      try {
        resources.addAll(ResourceYaml.parse(text));
      } catch (InvalidResourceException e) {
        PrintWriter err = spec.commandLine().getErr();
        for (Violations.Violation v : e.violations()) {
          err.println("error: " + f + ": " + v);
        }
        err.flush();
        return RaftmeshMain.FAILURE;
      }
    }
    if (resources.isEmpty()) {
      throw new UsageException(
          "--filename=" + String.join(",", files) + " is not valid: no resources in it");
    }
    ApplyRequest request =
        ApplyRequest.newBuilder()
            .addAllResources(resources)
            .setCompareRevisions(compareRevisions)
            .setDryRun(dryRun)
            .setRequestId(UUID.randomUUID().toString())
            .build();
    PrintWriter w = spec.commandLine().getOut();
    try (ClusterClient c = client.connect()) {
      ApplyResponse r =
          c.call(
              (ch, ms) ->
                  ConfigServiceGrpc.newBlockingStub(ch)
                      .withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                      .apply(request));
      for (ApplyResult result : r.getResultsList()) {
        String kind =
            ResourceKind.of(result.getKey().getType()).map(ResourceKind::kind).orElse("?");
        w.printf(
            "%s/%s/%s %s%s%n",
            kind.toLowerCase(Locale.ROOT),
            result.getKey().getNamespace(),
            result.getKey().getName(),
            verb(result.getChange()),
            dryRun ? " (dry run)" : "");
      }
      w.printf("revision %d%n", r.getRevision());
      w.flush();
      if (await && !dryRun) {
        return new AckWaiter(c, w, spec.commandLine().getErr()).await(r.getRevision(), waitFor)
            ? 0
            : RaftmeshMain.FAILURE;
      }
    }
    return 0;
  }

  private static String verb(ApplyResult.Change change) {
    return switch (change) {
      case CREATED -> "created";
      case UPDATED -> "configured";
      case UNCHANGED -> "unchanged";
      default -> "applied";
    };
  }

  private String read(String file) throws IOException {
    if (file.equals("-")) {
      return new String(context().stdin().readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      return Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new UsageException("--filename=" + file + " is not valid: no such file");
    } catch (IOException e) {
      throw new UsageException("--filename=" + file + " is not valid: " + e.getMessage());
    }
  }

  static String describe(Resource r) {
    return ResourceKeys.describe(ResourceKeys.keyOf(r));
  }

  static ClusterServiceGrpc.ClusterServiceBlockingStub cluster(io.grpc.Channel ch, long ms) {
    return ClusterServiceGrpc.newBlockingStub(ch).withDeadlineAfter(ms, TimeUnit.MILLISECONDS);
  }
}
