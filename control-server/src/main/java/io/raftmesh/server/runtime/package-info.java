/**
 * One control server process: its configuration, the material it loads at start, and the assembly
 * of store member, certificate authority, gRPC services, leader-only jobs and metrics.
 */
@NullMarked
package io.raftmesh.server.runtime;

import org.jspecify.annotations.NullMarked;
