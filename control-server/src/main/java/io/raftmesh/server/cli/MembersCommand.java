package io.raftmesh.server.cli;

import io.raftmesh.proto.v1.AddMemberRequest;
import io.raftmesh.proto.v1.ListMembersRequest;
import io.raftmesh.proto.v1.Member;
import io.raftmesh.proto.v1.MembersResponse;
import io.raftmesh.proto.v1.RemoveMemberRequest;
import io.raftmesh.proto.v1.TransferLeadershipRequest;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftmesh members}: the Raft members of the control plane. */
@Command(
    name = "members",
    description = "List, add and remove control servers; move leadership.",
    mixinStandardHelpOptions = true,
    subcommands = {
      MembersCommand.ListMembers.class,
      MembersCommand.Add.class,
      MembersCommand.Remove.class,
      MembersCommand.TransferLeader.class
    })
final class MembersCommand {

  static String render(MembersResponse r) {
    Table t = new Table("MEMBER", "ROLE", "RAFT-ADDRESS", "API-ADDRESS");
    for (Member m : r.getMembersList()) {
      t.row(
          m.getId(),
          m.getId().equals(r.getLeaderId()) ? "LEADER" : m.getRole().isEmpty() ? "-" : m.getRole(),
          m.getRaftAddress(),
          m.getApiAddress().isEmpty() ? "-" : m.getApiAddress());
    }
    return t.render();
  }

  /** {@code raftmesh members list}. */
  @Command(name = "list", description = "List members.", mixinStandardHelpOptions = true)
  static final class ListMembers implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      MembersResponse r;
      try (ClusterClient c = client.connect()) {
        r =
            c.call(
                (ch, ms) ->
                    ApplyCommand.cluster(ch, ms)
                        .listMembers(ListMembersRequest.getDefaultInstance()));
      }
      PrintWriter w = spec.commandLine().getOut();
      w.print(render(r));
      w.flush();
      return 0;
    }
  }

  /** {@code raftmesh members add}. */
  @Command(
      name = "add",
      description = "Add a running, empty server to the Raft group.",
      mixinStandardHelpOptions = true)
  static final class Add implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID", description = "The new server's id.")
    String id = "";

    @Option(names = "--raft-address", required = true, description = "Its Raft address host:port.")
    String raftAddress = "";

    @Option(names = "--api-address", defaultValue = "", description = "Its gRPC address host:port.")
    String apiAddress = "";

    @Override
    public Integer call() {
      MembersResponse r;
      try (ClusterClient c = client.connect()) {
        r =
            c.call(
                (ch, ms) ->
                    ApplyCommand.cluster(ch, ms)
                        .addMember(
                            AddMemberRequest.newBuilder()
                                .setId(id)
                                .setRaftAddress(raftAddress)
                                .setApiAddress(apiAddress)
                                .build()));
      }
      PrintWriter w = spec.commandLine().getOut();
      w.printf("member %s added%n", id);
      w.print(render(r));
      w.flush();
      return 0;
    }
  }

  /** {@code raftmesh members remove}. */
  @Command(
      name = "remove",
      description = "Remove a server from the Raft group.",
      mixinStandardHelpOptions = true)
  static final class Remove implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID", description = "The server to remove.")
    String id = "";

    @Override
    public Integer call() {
      MembersResponse r;
      try (ClusterClient c = client.connect()) {
        r =
            c.call(
                (ch, ms) ->
                    ApplyCommand.cluster(ch, ms)
                        .removeMember(RemoveMemberRequest.newBuilder().setId(id).build()));
      }
      PrintWriter w = spec.commandLine().getOut();
      w.printf("member %s removed%n", id);
      w.print(render(r));
      w.flush();
      return 0;
    }
  }

  /** {@code raftmesh members transfer-leader}. */
  @Command(
      name = "transfer-leader",
      description = "Move leadership to a member (any other member when omitted).",
      mixinStandardHelpOptions = true)
  static final class TransferLeader implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ClientOptions client;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "The member to lead.")
    String id = "";

    @Override
    public Integer call() {
      MembersResponse r;
      try (ClusterClient c = client.connect()) {
        r =
            c.call(
                (ch, ms) ->
                    ApplyCommand.cluster(ch, ms)
                        .transferLeadership(
                            TransferLeadershipRequest.newBuilder().setId(id).build()));
      }
      PrintWriter w = spec.commandLine().getOut();
      w.printf("leader is now %s%n", r.getLeaderId().isEmpty() ? "unknown" : r.getLeaderId());
      w.print(render(r));
      w.flush();
      return 0;
    }
  }
}
