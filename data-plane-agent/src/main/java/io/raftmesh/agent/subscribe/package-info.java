/** The DeltaService subscription: the in-memory mesh view, ACK/NACK, reconnects. */
@NullMarked
package io.raftmesh.agent.subscribe;

import org.jspecify.annotations.NullMarked;
