/**
 * Envoy's xDS (ADS, state-of-the-world and delta) served from the replicated store's change log,
 * for Envoy and proxyless gRPC clients: translation of the mesh's resources, revision-versioned
 * snapshots, make-before-break and NACK damping.
 */
@NullMarked
package io.raftmesh.server.xds;

import org.jspecify.annotations.NullMarked;
