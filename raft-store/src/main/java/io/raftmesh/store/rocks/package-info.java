/**
 * Internal (not API): the live RocksDB of a member, its layout, reads at one revision, and how one
 * command becomes one WriteBatch.
 */
@NullMarked
package io.raftmesh.store.rocks;

import org.jspecify.annotations.NullMarked;
