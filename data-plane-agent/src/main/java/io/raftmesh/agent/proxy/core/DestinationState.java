package io.raftmesh.agent.proxy.core;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.metrics.ProxyMetrics;
import io.raftmesh.agent.proxy.resilience.CircuitBreaker;
import io.raftmesh.agent.proxy.resilience.RetryBudget;

/**
 * Protection state of one destination that outlives config reloads: its circuit breaker and retry
 * budget (limits are updated in place), and its pre-bound counters.
 */
public final class DestinationState {
  private final ServiceName name;
  private final CircuitBreaker breaker;
  private final RetryBudget retryBudget;
  private final CounterDataPoint retries;
  private final CounterDataPoint overflowRequests;
  private final CounterDataPoint overflowPending;
  private final CounterDataPoint overflowConnections;

  DestinationState(ServiceName name, DestinationConfig config, ProxyMetrics metrics) {
    this.name = name;
    this.breaker =
        new CircuitBreaker(
            config.maxConnections(), config.maxPendingRequests(), config.maxRequests());
    this.retryBudget = new RetryBudget(config.retryBudgetRatio(), config.minRetriesPerSecond());
    String dest = name.toString();
    this.retries = metrics.retries(dest);
    this.overflowRequests = metrics.overflows(dest, CircuitBreaker.MAX_REQUESTS);
    this.overflowPending = metrics.overflows(dest, CircuitBreaker.MAX_PENDING);
    this.overflowConnections = metrics.overflows(dest, CircuitBreaker.MAX_CONNECTIONS);
  }

  void configure(DestinationConfig config) {
    breaker.configure(config.maxConnections(), config.maxPendingRequests(), config.maxRequests());
    retryBudget.configure(config.retryBudgetRatio(), config.minRetriesPerSecond());
  }

  /** The destination. */
  public ServiceName name() {
    return name;
  }

  /** Its circuit breaker. */
  public CircuitBreaker breaker() {
    return breaker;
  }

  /** Its retry budget. */
  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /** Counts a retry. */
  public void retried() {
    retries.inc();
  }

  /** Counts an overflow of {@code limit} (one of the CircuitBreaker limit names). */
  public void overflowed(String limit) {
    switch (limit) {
      case CircuitBreaker.MAX_REQUESTS:
        overflowRequests.inc();
        break;
      case CircuitBreaker.MAX_PENDING:
        overflowPending.inc();
        break;
      default:
        overflowConnections.inc();
        break;
    }
  }
}
