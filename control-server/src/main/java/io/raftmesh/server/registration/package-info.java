/**
 * Service registration: agents register their node's endpoints and report health; liveness and
 * acknowledgements are folded into batched Node writes, and a leader-only job marks silent nodes'
 * endpoints unhealthy and removes them after a grace period.
 */
@NullMarked
package io.raftmesh.server.registration;

import org.jspecify.annotations.NullMarked;
