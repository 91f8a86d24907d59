package io.raftmesh.chaos.net;

/**
 * Counters of a {@link FaultBridge} since it started.
 *
 * @param accepted connections accepted
 * @param refused connections reset at accept because new connections were refused
 * @param reset connections reset by {@link FaultBridge#resetAll()} or after a blackhole
 * @param active connections open now
 * @param bytesForwarded bytes written to either side
 * @param bytesDiscarded bytes dropped by a blackhole
 */
public record BridgeStats(
    long accepted,
    long refused,
    long reset,
    long active,
    long bytesForwarded,
    long bytesDiscarded) {}
