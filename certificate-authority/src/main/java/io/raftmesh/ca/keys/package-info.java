/** Key pairs, key ids and sealing of private keys under a key-encryption key. */
@NullMarked
package io.raftmesh.ca.keys;

import org.jspecify.annotations.NullMarked;
