/**
 * Internal (not API): snapshots as RocksDB checkpoints in the Ratis state-machine folder, their
 * retention and restore.
 */
@NullMarked
package io.raftmesh.store.snapshot;

import org.jspecify.annotations.NullMarked;
