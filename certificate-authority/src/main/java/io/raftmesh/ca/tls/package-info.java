/** JSSE trust and key managers for mesh mutual TLS (no sockets: transports plug them in). */
@NullMarked
package io.raftmesh.ca.tls;

import org.jspecify.annotations.NullMarked;
