/** Simulated agents that measure the control plane (ops/bench/control.sh). */
@NullMarked
package io.raftmesh.bench;

import org.jspecify.annotations.NullMarked;
