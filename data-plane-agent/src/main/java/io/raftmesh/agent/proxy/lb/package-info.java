/** Upstream endpoints, their health and load, and the load-balancing algorithms that pick them. */
@NullMarked
package io.raftmesh.agent.proxy.lb;

import org.jspecify.annotations.NullMarked;
