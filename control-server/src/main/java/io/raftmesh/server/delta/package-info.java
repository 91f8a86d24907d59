/**
 * The versioned delta stream: following the local replica's change log, folding changes per
 * subscriber, resume and reset, ACK/NACK bookkeeping, and shedding streams without a quorum.
 */
@NullMarked
package io.raftmesh.server.delta;

import org.jspecify.annotations.NullMarked;
