/**
 * The Netty sidecar proxy: its public API (start, config and certificate hot reload, edge
 * summaries).
 */
@NullMarked
package io.raftmesh.agent.proxy;

import org.jspecify.annotations.NullMarked;
