/**
 * The replicated, versioned key-value store: start a member, write through {@link
 * io.raftmesh.store.StoreClient}, read, watch and back up.
 */
@NullMarked
package io.raftmesh.store;

import org.jspecify.annotations.NullMarked;
