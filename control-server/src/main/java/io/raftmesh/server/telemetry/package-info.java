/**
 * Telemetry aggregation: agents' per-edge traffic summaries kept in a bounded, in-memory sliding
 * window per server (never through Raft), and the histogram math that merges windows and reads
 * percentiles from them.
 */
@NullMarked
package io.raftmesh.server.telemetry;

import org.jspecify.annotations.NullMarked;
