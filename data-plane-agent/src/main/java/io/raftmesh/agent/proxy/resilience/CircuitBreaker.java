package io.raftmesh.agent.proxy.resilience;

import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Connection-pool limits of one destination: concurrent requests, requests waiting for a
 * connection, and open connections. Beyond a limit the proxy answers 503 at once with the header
 * {@code x-raftmesh-overflow} naming the limit, instead of queueing (Envoy's circuit breakers).
 * Thread-safe; limits can change on reload while counts carry over.
 */
public final class CircuitBreaker {
  /** The header on a 503 that says which limit was hit. */
  public static final String OVERFLOW_HEADER = "x-raftmesh-overflow";

  /** Limit names, as in the header and the overflow metric's label. */
  public static final String MAX_REQUESTS = "max-requests";

  /** Requests waiting for a connection. */
  public static final String MAX_PENDING = "max-pending-requests";

  /** Open connections. */
  public static final String MAX_CONNECTIONS = "max-connections";

  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile int maxRequests;
  private volatile int maxPending;
  private volatile int maxConnections;

  /** A breaker with the given limits. */
  public CircuitBreaker(int maxConnections, int maxPending, int maxRequests) {
    configure(maxConnections, maxPending, maxRequests);
  }

  /** Changes the limits. */
  public void configure(int maxConnections, int maxPending, int maxRequests) {
    this.maxConnections = maxConnections;
    this.maxPending = maxPending;
    this.maxRequests = maxRequests;
  }

  /** Admits a request; null when admitted, else the limit that refused it. */
  public @Nullable String tryAcquireRequest() {
    return tryAcquire(requests, maxRequests) ? null : MAX_REQUESTS;
  }

  /** Ends an admitted request. */
  public void releaseRequest() {
    requests.decrementAndGet();
  }

  /** Admits a request to wait for a connection; null when admitted, else the limit. */
  public @Nullable String tryAcquirePending() {
    return tryAcquire(pending, maxPending) ? null : MAX_PENDING;
  }

  /** Ends a wait for a connection. */
  public void releasePending() {
    pending.decrementAndGet();
  }

  /** Admits a new connection; null when admitted, else the limit. */
  public @Nullable String tryAcquireConnection() {
    return tryAcquire(connections, maxConnections) ? null : MAX_CONNECTIONS;
  }

  /** Ends a connection. */
  public void releaseConnection() {
    connections.decrementAndGet();
  }

  /** Open connections now. */
  public int connections() {
    return connections.get();
  }

  /** Requests in flight now. */
  public int requests() {
    return requests.get();
  }

  private static boolean tryAcquire(AtomicInteger counter, int max) {
    while (true) {
      int cur = counter.get();
      if (cur >= max) {
        return false;
      }
      if (counter.compareAndSet(cur, cur + 1)) {
        return true;
      }
    }
  }
}
