/**
 * Histories of client and nemesis operations: events, pairing into operations, a concurrent
 * recorder and JSON lines.
 */
@NullMarked
package io.raftmesh.chaos.history;

import org.jspecify.annotations.NullMarked;
