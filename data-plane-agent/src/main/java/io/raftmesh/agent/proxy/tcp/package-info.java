/** Opaque TCP proxying between loopback listeners, mutual-TLS peers and local applications. */
@NullMarked
package io.raftmesh.agent.proxy.tcp;

import org.jspecify.annotations.NullMarked;
