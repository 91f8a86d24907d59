package io.raftmesh.agent.subscribe;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.cache.ConfigCache;
import io.raftmesh.agent.dataplane.DataPlane;
import io.raftmesh.agent.dataplane.RejectedConfigException;
import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts views into the data plane and remembers what is in force. A view is in force only once the
 * data plane accepted it; then it is written to the cache (so a restart serves it) and only then
 * acknowledged. A refused view changes nothing: the previous one stays in force and in the cache.
 */
public final class ConfigApplier {
  private static final Logger log = LoggerFactory.getLogger(ConfigApplier.class);

  /**
   * The last refusal.
   *
   * @param revision the revision refused
   * @param reason the data plane's reason
   * @param at when
   */
  public record Nack(long revision, String reason, Instant at) {}

  private final DataPlane dataPlane;
  private final ConfigCache cache;
  private final SubscriptionMetrics metrics;
  private final Clock clock;
  private volatile MeshView applied;
  private volatile @Nullable Nack lastNack;

  /** An applier whose data plane already runs {@code applied}. */
  public ConfigApplier(
      DataPlane dataPlane,
      ConfigCache cache,
      SubscriptionMetrics metrics,
      MeshView applied,
      Clock clock) {
    this.dataPlane = requireNonNull(dataPlane, "dataPlane");
    this.cache = requireNonNull(cache, "cache");
    this.metrics = requireNonNull(metrics, "metrics");
    this.applied = requireNonNull(applied, "applied");
    this.clock = requireNonNull(clock, "clock");
    metrics.applied(applied.revision());
  }

  /** The view in force. */
  public MeshView applied() {
    return applied;
  }

  /** The last refusal since the last accepted view, or null. */
  public @Nullable Nack lastNack() {
    return lastNack;
  }

  /**
   * Applies {@code candidate}.
   *
   * @return null when it is in force now, else the reason it was refused
   */
  public synchronized @Nullable String apply(MeshView candidate) {
    requireNonNull(candidate, "candidate");
    if (candidate.revision() < applied.revision()) {
      // Cannot happen through MeshView.apply; guards the invariant for any other caller.
      return "revision "
          + candidate.revision()
          + " is older than the applied revision "
          + applied.revision();
    }
    try {
      dataPlane.apply(candidate.resources(), candidate.revision());
    } catch (RejectedConfigException e) {
      String reason = String.valueOf(e.getMessage());
      lastNack = new Nack(candidate.revision(), reason, clock.instant());
      log.warn(
          "config refused revision={} applied_revision={} reason={}",
          candidate.revision(),
          applied.revision(),
          reason);
      return reason;
    } catch (RuntimeException e) {
      String reason = "data plane failed: " + e;
      lastNack = new Nack(candidate.revision(), reason, clock.instant());
      log.error("config apply failed revision={} error={}", candidate.revision(), e.toString(), e);
      return reason;
    }
    // Written before it counts as applied (and is ACKed): a restart right after the ACK serves it.
    try {
      cache.store(candidate.revision(), candidate.resources());
    } catch (RuntimeException e) {
      // The config is in force; only a restart without servers would miss it.
      log.error(
          "config cache write failed revision={} file={} error={}",
          candidate.revision(),
          cache.file(),
          e.getMessage());
    }
    applied = candidate;
    lastNack = null;
    metrics.applied(candidate.revision());
    log.debug("config applied revision={} resources={}", candidate.revision(), candidate.size());
    return null;
  }
}
