/**
 * Who is calling: the caller's identity taken from its client certificate, and the access policy
 * that says which identities may call which method.
 */
@NullMarked
package io.raftmesh.server.auth;

import org.jspecify.annotations.NullMarked;
