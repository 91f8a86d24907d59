/**
 * The {@code raftmesh agent} command line: flags, environment, exit codes and the status client.
 */
@NullMarked
package io.raftmesh.agent.cli;

import org.jspecify.annotations.NullMarked;
