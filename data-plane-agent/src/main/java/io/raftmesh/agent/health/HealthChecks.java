package io.raftmesh.agent.health;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.config.HealthCheckConfig;
import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.proto.v1.HealthStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each local service's health check at its interval and reports status changes (after the
 * thresholds) to a listener. A service without a check is HEALTHY from the start.
 */
public final class HealthChecks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

  /** Receives status changes. */
  @FunctionalInterface
  public interface Listener {
    /** {@code service} is now {@code status}; {@code detail} is the last check's outcome. */
    void changed(LocalServiceConfig service, HealthStatus status, String detail);
  }

  private final ScheduledExecutorService scheduler;
  private final HealthProbe probe;
  private final Listener listener;
  private final Map<LocalServiceConfig, HealthState> states = new ConcurrentHashMap<>();
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

  /** Checks scheduled on {@code scheduler} (which should not run latency-sensitive work). */
  public HealthChecks(ScheduledExecutorService scheduler, HealthProbe probe, Listener listener) {
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.probe = requireNonNull(probe, "probe");
    this.listener = requireNonNull(listener, "listener");
  }

  /** The current status of {@code service}. */
  public HealthStatus status(LocalServiceConfig service) {
    if (service.health().kind() == HealthCheckConfig.Kind.NONE) {
      return HealthStatus.HEALTHY;
    }
    HealthState state = states.get(service);
    return state == null ? HealthStatus.HEALTH_UNKNOWN : state.status();
  }

  /** Starts checking every service of {@code services} that has a check. */
  public synchronized void start(List<LocalServiceConfig> services) {
    for (LocalServiceConfig service : services) {
      HealthCheckConfig check = service.health();
      if (check.kind() == HealthCheckConfig.Kind.NONE) {
        continue;
      }
      HealthState state = new HealthState(check.healthyThreshold(), check.unhealthyThreshold());
      states.put(service, state);
      tasks.add(
          scheduler.scheduleWithFixedDelay(
              () -> runCheck(service, state),
              0,
              check.interval().toMillis(),
              TimeUnit.MILLISECONDS));
    }
  }

  private void runCheck(LocalServiceConfig service, HealthState state) {
    HealthProbe.Result result;
    try {
      result = probe.check(service);
    } catch (RuntimeException e) {
      result = new HealthProbe.Result(false, "probe failed: " + e);
    }
    HealthStatus changed;
    synchronized (state) {
      changed = state.record(result.passed());
    }
    if (changed != null) {
      log.info(
          "health changed service={} status={} detail={}",
          service.qualifiedName(),
          changed,
          result.detail());
      try {
        listener.changed(service, changed, result.detail());
      } catch (RuntimeException e) {
        log.warn(
            "health listener failed service={} error={}", service.qualifiedName(), e.toString());
      }
    }
  }

  @Override
  public synchronized void close() {
    for (ScheduledFuture<?> task : tasks) {
      task.cancel(false);
    }
    tasks.clear();
  }
}
