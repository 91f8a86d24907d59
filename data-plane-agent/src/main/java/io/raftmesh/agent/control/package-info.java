/** Mutual-TLS gRPC channels to the control servers, with failover and jittered backoff. */
@NullMarked
package io.raftmesh.agent.control;

import org.jspecify.annotations.NullMarked;
