/**
 * Shared proxy runtime: transport, the current routing state, per-destination protection state and
 * limits.
 */
@NullMarked
package io.raftmesh.agent.proxy.core;

import org.jspecify.annotations.NullMarked;
