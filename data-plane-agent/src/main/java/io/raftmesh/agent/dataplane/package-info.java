/** The agent's view of the data plane it configures (the sidecar proxy), behind an interface. */
@NullMarked
package io.raftmesh.agent.dataplane;

import org.jspecify.annotations.NullMarked;
