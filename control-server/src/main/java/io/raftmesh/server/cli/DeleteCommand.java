package io.raftmesh.server.cli;

import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.DeleteResponse;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.server.config.ResourceKind;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftmesh delete TYPE NAME...}: deletes resources in one atomic write. */
@Command(
    name = "delete",
    description = "Delete resources by type and name.",
    mixinStandardHelpOptions = true)
final class DeleteCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "TYPE", description = "Resource type, e.g. trafficroute.")
  String type = "";

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME", description = "Names to delete.")
  List<String> names = new ArrayList<>();

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace = "default";

  @Override
  public Integer call() {
    ResourceKind kind =
        ResourceKind.parse(type)
            .orElseThrow(
                () ->
                    new UsageException(
                        "TYPE="
                            + type
                            + " is not valid: expected one of service, trafficroute, destinationpolicy, authorizationpolicy, meshconfig"));
    DeleteRequest.Builder req =
        DeleteRequest.newBuilder().setRequestId(UUID.randomUUID().toString());
    for (String name : names) {
      req.addKeys(
          ResourceKey.newBuilder().setType(kind.type()).setNamespace(namespace).setName(name));
    }
    DeleteResponse r;
    try (ClusterClient c = client.connect()) {
      r =
          c.call(
              (ch, ms) ->
                  ConfigServiceGrpc.newBlockingStub(ch)
                      .withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                      .delete(req.build()));
    }
    PrintWriter w = spec.commandLine().getOut();
    String k = kind.kind().toLowerCase(Locale.ROOT);
    int missing = 0;
    for (String name : names) {
      boolean deleted = r.getDeletedList().stream().anyMatch(key -> key.getName().equals(name));
      if (deleted) {
        w.printf("%s/%s/%s deleted%n", k, namespace, name);
      } else {
        w.printf("%s/%s/%s not found%n", k, namespace, name);
        missing++;
      }
    }
    w.printf("revision %d%n", r.getRevision());
    w.flush();
    return missing == 0 ? 0 : RaftmeshMain.FAILURE;
  }
}
