/** The agent's loopback admin endpoint: status JSON and Prometheus metrics. */
@NullMarked
package io.raftmesh.agent.admin;

import org.jspecify.annotations.NullMarked;
