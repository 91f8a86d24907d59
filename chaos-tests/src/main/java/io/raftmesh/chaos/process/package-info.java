/** Child processes for the harness: a supervisor that starts, logs, signals and stops them. */
@NullMarked
package io.raftmesh.chaos.process;

import org.jspecify.annotations.NullMarked;
