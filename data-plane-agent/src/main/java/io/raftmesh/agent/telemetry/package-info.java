/**
 * Telemetry reporting: every few seconds the proxy's per-edge summaries go to the control server
 * the agent streams from, and what could not be delivered is kept, bounded, for the next try.
 */
@NullMarked
package io.raftmesh.agent.telemetry;

import org.jspecify.annotations.NullMarked;
