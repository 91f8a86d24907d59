/**
 * Proxy observability: Prometheus metrics, JSON access logs, trace context and per-edge summaries.
 */
@NullMarked
package io.raftmesh.agent.proxy.metrics;

import org.jspecify.annotations.NullMarked;
