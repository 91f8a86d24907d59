package io.raftmesh.agent.proxy.lb;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.proxy.config.EndpointConfig;
import io.raftmesh.agent.proxy.config.ServiceName;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream endpoint and what the proxy has learnt about it: its outstanding requests, its
 * peak-EWMA latency, its passive (outlier) and active health. A host outlives config reloads (it is
 * looked up again by service and address), so its connections and statistics survive them.
 *
 * <p>Thread-safe: event loops update it concurrently. Latency and outlier updates take the host's
 * monitor, which is uncontended in practice (one update per response).
 */
public final class UpstreamHost {
  /** Decay time of the latency average (as in Finagle's peak EWMA). */
  private static final double TAU_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Latency assumed before the first response, so that new hosts are tried but not flooded. */
  private static final double INITIAL_EWMA_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final ServiceName service;
  private final String address;
  private final int port;
  private final String hostPort;
  private volatile EndpointConfig config;
  private final AtomicInteger outstanding = new AtomicInteger();
  private double ewmaNanos = INITIAL_EWMA_NANOS;
  private long ewmaStampNanos = System.nanoTime();
  private volatile double cost = INITIAL_EWMA_NANOS;
  private int consecutive5xx;
  private int consecutiveConnectFailures;
  private int ejections;
  private volatile long ejectedUntilNanos;
  private volatile boolean ejected;
  private volatile boolean activelyHealthy = true;
  private int checkSuccesses;
  private int checkFailures;

  /** A host for {@code config}. */
  public UpstreamHost(EndpointConfig config) {
    this.config = requireNonNull(config, "config");
    this.service = config.service();
    this.address = config.address();
    this.port = config.port();
    this.hostPort = config.hostPort();
  }

  /** The service it belongs to. */
  public ServiceName service() {
    return service;
  }

  /** The host name or address to dial. */
  public String address() {
    return address;
  }

  /** The inbound listener's port. */
  public int port() {
    return port;
  }

  /** {@code address:port}. */
  public String hostPort() {
    return hostPort;
  }

  /** The endpoint's current config (labels, weight, reported health). */
  public EndpointConfig config() {
    return config;
  }

  void update(EndpointConfig next) {
    this.config = next;
  }

  /** Requests sent and not yet answered. */
  public int outstanding() {
    return outstanding.get();
  }

  /** Marks a request sent; pair with {@link #requestFinished}. */
  public void requestStarted() {
    outstanding.incrementAndGet();
  }

  /** Marks a request finished (answered, failed or abandoned). */
  public void requestFinished() {
    outstanding.decrementAndGet();
  }

  /** Feeds the time to an answer's head into the peak-EWMA latency. */
  public void observeLatency(long rttNanos) {
    synchronized (this) {
      long now = System.nanoTime();
      double elapsed = Math.max(0, now - ewmaStampNanos);
      ewmaStampNanos = now;
      if (rttNanos > ewmaNanos) {
        ewmaNanos = rttNanos; // Peak: react to a slowdown at once, recover slowly.
      } else {
        double w = Math.exp(-elapsed / TAU_NANOS);
        ewmaNanos = ewmaNanos * w + rttNanos * (1 - w);
      }
      cost = ewmaNanos;
    }
  }

  /** The peak-EWMA cost: latency average times (outstanding + 1). */
  double peakEwmaCost() {
    return cost * (outstanding.get() + 1);
  }

  /** Whether new requests may go here at {@code nowNanos}. */
  public boolean available(long nowNanos) {
    if (ejected && nowNanos - ejectedUntilNanos >= 0) {
      ejected = false;
    }
    return !ejected && activelyHealthy && config.routable();
  }

  /** Whether outlier detection has taken it out of rotation now. */
  public boolean isEjected(long nowNanos) {
    return ejected && nowNanos - ejectedUntilNanos < 0;
  }

  /**
   * Records an attempt's outcome for outlier detection.
   *
   * @return whether the host should be ejected now (the caller checks the ejection share)
   */
  synchronized boolean recordOutcome(Outcome outcome, int max5xx, int maxConnectFailures) {
    switch (outcome) {
      case SUCCESS:
        consecutive5xx = 0;
        consecutiveConnectFailures = 0;
        return false;
      case SERVER_ERROR:
        consecutive5xx++;
        return consecutive5xx >= max5xx;
      default:
        consecutiveConnectFailures++;
        return consecutiveConnectFailures >= maxConnectFailures;
    }
  }

  /** Ejects the host for {@code baseNanos} doubled by each earlier ejection (capped at 64x). */
  synchronized long eject(long nowNanos, long baseNanos) {
    long duration = baseNanos << Math.min(ejections, 6);
    ejections++;
    consecutive5xx = 0;
    consecutiveConnectFailures = 0;
    ejectedUntilNanos = nowNanos + duration;
    ejected = true;
    return duration;
  }

  /** How many times outlier detection has ejected the host. */
  public synchronized int ejections() {
    return ejections;
  }

  /**
   * Records an active health check result.
   *
   * @return true when the host's active health changed
   */
  public synchronized boolean recordCheck(
      boolean ok, int healthyThreshold, int unhealthyThreshold) {
    if (ok) {
      checkFailures = 0;
      checkSuccesses++;
      if (!activelyHealthy && checkSuccesses >= healthyThreshold) {
        activelyHealthy = true;
        return true;
      }
    } else {
      checkSuccesses = 0;
      checkFailures++;
      if (activelyHealthy && checkFailures >= unhealthyThreshold) {
        activelyHealthy = false;
        return true;
      }
    }
    return false;
  }

  /** Whether active health checks pass (true when none run). */
  public boolean activelyHealthy() {
    return activelyHealthy;
  }

  @Override
  public String toString() {
    return service + "@" + hostPort;
  }

  /** What an attempt to this host came to, as outlier detection sees it. */
  public enum Outcome {
    /** Any answer below 500. */
    SUCCESS,
    /** A 5xx answer. */
    SERVER_ERROR,
    /** The connection could not be made (TCP, TLS or identity). */
    CONNECT_FAILURE
  }
}
