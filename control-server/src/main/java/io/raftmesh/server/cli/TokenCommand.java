package io.raftmesh.server.cli;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.CreateJoinTokenResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.JoinTokenRecord;
import io.raftmesh.proto.v1.ListJoinTokensRequest;
import io.raftmesh.proto.v1.ListJoinTokensResponse;
import io.raftmesh.proto.v1.RevokeJoinTokenRequest;
import io.raftmesh.proto.v1.RevokeJoinTokenResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftmesh token}: join tokens that let agents enroll. */
@Command(
    name = "token",
    description = "Create, list and revoke join tokens.",
    mixinStandardHelpOptions = true,
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand {

  /** {@code raftmesh token create}. */
  @Command(
      name = "create",
      description = "Create a join token; it is shown once.",
      mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Option(
        names = "--ttl",
        defaultValue = "1h",
        description = "How long the token is valid (1m..30d; default: ${DEFAULT-VALUE}).")
    String ttl = "1h";

    @Option(
        names = "--uses",
        defaultValue = "1",
        description = "How many enrollments it allows (default: ${DEFAULT-VALUE}).")
    int uses = 1;

    @Option(
        names = "--description",
        defaultValue = "",
        description = "Free text shown by token list.")
    String description = "";

    @Option(
        names = {"-q", "--quiet"},
        description = "Print only the token (for scripts).")
    boolean quiet;

    @Override
    public Integer call() {
      Duration lifetime = CliValues.duration("--ttl", ttl);
      if (lifetime.compareTo(Duration.ofMinutes(1)) < 0
          || lifetime.compareTo(Duration.ofDays(30)) > 0) {
        throw new UsageException("--ttl=" + ttl + " is not valid: expected 1m..30d");
      }
      if (uses < 1 || uses > 10_000) {
        throw new UsageException("--uses=" + uses + " is not valid: expected 1..10000");
      }
      CreateJoinTokenRequest request =
          CreateJoinTokenRequest.newBuilder()
              .setTtl(Durations.fromNanos(lifetime.toNanos()))
              .setMaxUses(uses)
              .setDescription(description)
              .build();
      CreateJoinTokenResponse r;
      try (ClusterClient c = client.connect()) {
        r =
            c.call(
                (ch, ms) ->
                    EnrollmentServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                        .createJoinToken(request));
      }
      PrintWriter w = spec.commandLine().getOut();
      if (quiet) {
        w.println(r.getToken());
      } else {
        w.printf("token:   %s%n", r.getToken());
        w.printf("id:      %s%n", r.getTokenId());
        w.printf("uses:    %d%n", uses);
        w.printf("expires: %s%n", Instant.ofEpochMilli(Timestamps.toMillis(r.getExpiresAt())));
        w.println("The token is shown only now; the cluster keeps only a hash of its secret.");
      }
      w.flush();
      return 0;
    }
  }

  /** {@code raftmesh token list}. */
  @Command(
      name = "list",
      description = "List join tokens (never their secrets).",
      mixinStandardHelpOptions = true)
  static final class ListTokens implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      ListJoinTokensResponse r;
      try (ClusterClient c = client.connect()) {
        r =
            c.call(
                (ch, ms) ->
                    EnrollmentServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                        .listJoinTokens(ListJoinTokensRequest.getDefaultInstance()));
      }
      Table t = new Table("ID", "USES", "EXPIRES", "STATE", "USED-BY", "DESCRIPTION");
      Instant now = Instant.now();
      for (JoinTokenRecord tok : r.getTokensList()) {
        Instant expires = Instant.ofEpochMilli(Timestamps.toMillis(tok.getExpiresAt()));
        String state =
            tok.getRevoked()
                ? "revoked"
                : !expires.isAfter(now)
                    ? "expired"
                    : tok.getUses() >= tok.getMaxUses() ? "used" : "valid";
        t.row(
            tok.getTokenId(),
            tok.getUses() + "/" + tok.getMaxUses(),
            expires,
            state,
            tok.getUsedByCount() == 0 ? "-" : String.join(",", tok.getUsedByList()),
            tok.getDescription().isEmpty() ? "-" : tok.getDescription());
      }
      PrintWriter w = spec.commandLine().getOut();
      w.print(t.isEmpty() ? "No join tokens.\n" : t.render());
      w.flush();
      return 0;
    }
  }

  /** {@code raftmesh token revoke}. */
  @Command(
      name = "revoke",
      description = "Revoke a join token by id.",
      mixinStandardHelpOptions = true)
  static final class Revoke implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "The token id (from token create or token list).")
    String id = "";

    @Override
    public Integer call() {
      RevokeJoinTokenResponse r;
      try (ClusterClient c = client.connect()) {
        r =
            c.call(
                (ch, ms) ->
                    EnrollmentServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                        .revokeJoinToken(
                            RevokeJoinTokenRequest.newBuilder().setTokenId(id).build()));
      }
      PrintWriter w = spec.commandLine().getOut();
      w.println(
          r.getRevoked() ? "token " + id + " revoked" : "token " + id + " was already revoked");
      w.flush();
      return 0;
    }
  }
}
