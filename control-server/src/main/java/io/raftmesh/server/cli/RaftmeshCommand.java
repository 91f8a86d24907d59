package io.raftmesh.server.cli;

import picocli.CommandLine.Command;

/**
 * {@code raftmesh}: the one command of the mesh. This jar holds the control server and the admin
 * commands; {@code raftmesh agent} runs from the agent's jar (the launcher script picks the jar by
 * subcommand).
 */
@Command(
    name = "raftmesh",
    description = "A service mesh whose control plane is a Raft-replicated cluster.",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    subcommands = {
      CaCommand.class,
      ServerCommand.class,
      TokenCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      StatusCommand.class,
      MembersCommand.class,
      StatsCommand.class,
      SnapshotCommand.class
    })
public final class RaftmeshCommand {}
