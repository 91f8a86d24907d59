/** Registration of the node's local services as endpoints, heartbeats and deregistration. */
@NullMarked
package io.raftmesh.agent.register;

import org.jspecify.annotations.NullMarked;
