/** Mutual TLS for the proxy: SSL contexts, swappable key and trust managers, SPIFFE identities. */
@NullMarked
package io.raftmesh.agent.proxy.tls;

import org.jspecify.annotations.NullMarked;
