/**
 * The {@code raftmesh} command line: parsing flags, environment variables and config files once
 * into immutable records, the server and client subcommands, output tables, and exit codes.
 */
@NullMarked
package io.raftmesh.server.cli;

import org.jspecify.annotations.NullMarked;
