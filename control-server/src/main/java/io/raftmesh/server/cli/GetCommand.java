package io.raftmesh.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.Consistency;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.ListRequest;
import io.raftmesh.proto.v1.ListResponse;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.server.config.ResourceKind;
import io.raftmesh.server.config.ResourceYaml;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftmesh get TYPE [NAME...]}: reads resources as a table, YAML or JSON. */
@Command(
    name = "get",
    description =
        "Show resources of a type (services, endpoints, trafficroutes, destinationpolicies, authorizationpolicies, nodes, meshconfig).",
    mixinStandardHelpOptions = true)
final class GetCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(
      index = "0",
      paramLabel = "TYPE",
      description = "Resource type, e.g. service or trafficroutes.")
  String type = "";

  @Parameters(index = "1..*", paramLabel = "NAME", description = "Names to show; all when omitted.")
  List<String> names = new ArrayList<>();

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace = "default";

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "Every namespace.")
  boolean allNamespaces;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table, yaml, json or name (default: ${DEFAULT-VALUE}).")
  String output = "table";

  @Option(
      names = "--stale",
      description = "Read from the answering server's replica without a quorum round trip.")
  boolean stale;

  @Override
  public Integer call() throws Exception {
    ResourceKind kind =
        ResourceKind.parse(type)
            .orElseThrow(
                () ->
                    new UsageException(
                        "TYPE="
                            + type
                            + " is not valid: expected one of service, endpoint, trafficroute, destinationpolicy, authorizationpolicy, node, meshconfig"));
    String format = output.toLowerCase(Locale.ROOT);
    if (!List.of("table", "yaml", "json", "name").contains(format)) {
      throw new UsageException(
          "--output=" + output + " is not valid: expected table, yaml, json or name");
    }
    String ns =
        kind == ResourceKind.MESH_CONFIG
            ? "system"
            : kind == ResourceKind.NODE ? "system" : namespace;
    Consistency consistency = stale ? Consistency.STALE : Consistency.LINEARIZABLE;
    List<Resource> found = new ArrayList<>();
    try (ClusterClient c = client.connect()) {
      if (names.isEmpty()) {
        String token = "";
        do {
          ListRequest.Builder req =
              ListRequest.newBuilder()
                  .setType(kind.type())
                  .setPageToken(token)
                  .setConsistency(consistency);
          if (!allNamespaces) {
            req.setNamespace(ns);
          }
          ListResponse page =
              c.call(
                  (ch, ms) ->
                      ConfigServiceGrpc.newBlockingStub(ch)
                          .withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                          .list(req.build()));
          found.addAll(page.getResourcesList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
      } else {
        for (String name : names) {
          GetRequest req =
              GetRequest.newBuilder()
                  .setKey(
                      ResourceKey.newBuilder().setType(kind.type()).setNamespace(ns).setName(name))
                  .setConsistency(consistency)
                  .build();
          try {
            found.add(
                c.call(
                        (ch, ms) ->
                            ConfigServiceGrpc.newBlockingStub(ch)
                                .withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                                .get(req))
                    .getResource());
          } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
              throw new NotFound(kind.kind() + " " + ns + "/" + name + " not found");
            }
            throw e;
          }
        }
      }
    }
    PrintWriter w = spec.commandLine().getOut();
    switch (format) {
      case "yaml" -> w.print(ResourceYaml.print(found));
      case "json" -> {
        ObjectMapper json = new ObjectMapper();
        if (names.size() == 1) {
          w.println(
              json.writerWithDefaultPrettyPrinter()
                  .writeValueAsString(ResourceYaml.toDocument(found.get(0))));
        } else {
          ArrayNode items = JsonNodeFactory.instance.arrayNode();
          found.forEach(r -> items.add(ResourceYaml.toDocument(r)));
          w.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(items));
        }
      }
      case "name" ->
          found.forEach(
              r ->
                  w.println(
                      kind.kind().toLowerCase(Locale.ROOT)
                          + "/"
                          + r.getNamespace()
                          + "/"
                          + r.getName()));
      default -> {
        if (found.isEmpty()) {
          w.println(
              "No "
                  + kind.kind()
                  + " resources found"
                  + (allNamespaces ? "." : " in namespace " + ns + "."));
        } else {
          w.print(ResourceTables.render(kind, found, allNamespaces));
        }
      }
    }
    w.flush();
    return 0;
  }

  /** A named resource does not exist: exit 1 with one line. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }
}
