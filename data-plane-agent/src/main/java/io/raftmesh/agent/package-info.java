/** The per-node agent: wires identity, rotation, subscription, registration and the data plane. */
@NullMarked
package io.raftmesh.agent;

import org.jspecify.annotations.NullMarked;
