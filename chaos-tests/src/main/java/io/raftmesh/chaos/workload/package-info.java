/**
 * Workloads against a real cluster (register, set, deltas, identity), each a client of the public
 * gRPC API recording a history, and the run that plays one under a nemesis and checks it.
 */
@NullMarked
package io.raftmesh.chaos.workload;

import org.jspecify.annotations.NullMarked;
