/**
 * Internal (not API): the Ratis state machine that applies StoreCommands to RocksDB and answers
 * StoreQueries.
 */
@NullMarked
package io.raftmesh.store.statemachine;

import org.jspecify.annotations.NullMarked;
