/** Immutable proxy configuration snapshots and their translation from mesh resources. */
@NullMarked
package io.raftmesh.agent.proxy.config;

import org.jspecify.annotations.NullMarked;
