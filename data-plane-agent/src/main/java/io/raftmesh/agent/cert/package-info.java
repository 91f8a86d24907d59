/** Rotation of node and workload certificates before they expire, and its metrics. */
@NullMarked
package io.raftmesh.agent.cert;

import org.jspecify.annotations.NullMarked;
