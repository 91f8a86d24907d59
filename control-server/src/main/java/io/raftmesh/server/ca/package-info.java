/**
 * The certificate authority as the control server runs it: the issuing CA kept sealed in the
 * replicated store, issuance recorded through Raft, join tokens, and the files {@code raftmesh ca
 * init} hands to servers.
 */
@NullMarked
package io.raftmesh.server.ca;

import org.jspecify.annotations.NullMarked;
