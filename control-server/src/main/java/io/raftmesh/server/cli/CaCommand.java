package io.raftmesh.server.cli;

import picocli.CommandLine.Command;

/** {@code raftmesh ca}: bootstrap the mesh's trust, offline. */
@Command(
    name = "ca",
    description = "Create the offline root and the cluster's issuing CA.",
    mixinStandardHelpOptions = true,
    subcommands = {CaBootstrapCommand.class, CaInitCommand.class})
final class CaCommand {}
