package io.raftmesh.agent.proxy.config;

/**
 * Injected faults of a route.
 *
 * @param delayNanos fixed delay; 0 for none
 * @param delayPercent share of requests delayed, 0..100
 * @param abortStatus HTTP status answered instead of forwarding; 0 for none
 * @param abortPercent share of requests aborted, 0..100
 */
public record FaultConfig(
    long delayNanos, double delayPercent, int abortStatus, double abortPercent) {}
