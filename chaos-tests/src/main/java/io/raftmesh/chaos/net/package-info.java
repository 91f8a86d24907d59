/**
 * Network faults: a fault-injecting TCP bridge, partition grudges and per-node network namespaces.
 */
@NullMarked
package io.raftmesh.chaos.net;

import org.jspecify.annotations.NullMarked;
