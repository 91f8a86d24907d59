/** The command line of long chaos runs ({@code ops/chaos.sh}). */
@NullMarked
package io.raftmesh.chaos.cli;

import org.jspecify.annotations.NullMarked;
