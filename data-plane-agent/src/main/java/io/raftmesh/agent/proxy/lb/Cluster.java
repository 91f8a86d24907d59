package io.raftmesh.agent.proxy.lb;

import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.EndpointConfig;
import io.raftmesh.agent.proxy.config.ServiceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One destination service's hosts at one config revision: the host set of the whole service and of
 * each subset, and outlier detection over them. Immutable apart from the hosts' own state.
 */
public final class Cluster {
  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

  private final ServiceConfig config;
  private final List<UpstreamHost> hosts;
  private final HostSet all;
  private final Map<String, HostSet> subsets;
  private final EjectionListener listener;

  Cluster(ServiceConfig config, List<UpstreamHost> hosts, EjectionListener listener) {
    this.config = config;
    this.hosts = List.copyOf(hosts);
    this.listener = listener;
    DestinationConfig.Algorithm algo = config.destination().algorithm();
    this.all = new HostSet(hosts, algo);
    Map<String, HostSet> subs = new HashMap<>();
    for (Map.Entry<String, Map<String, String>> e : config.subsets().entrySet()) {
      List<UpstreamHost> members = new ArrayList<>();
      for (UpstreamHost h : hosts) {
        EndpointConfig c = h.config();
        if (c.matches(e.getValue())) {
          members.add(h);
        }
      }
      subs.put(e.getKey(), new HostSet(members, algo));
    }
    this.subsets = Map.copyOf(subs);
  }

  /** The service's config at this revision. */
  public ServiceConfig config() {
    return config;
  }

  /** All hosts of the service. */
  public List<UpstreamHost> hosts() {
    return hosts;
  }

  /** The hosts of {@code subset}, or of the whole service when it is empty or unknown. */
  public HostSet hostSet(String subset) {
    if (subset.isEmpty()) {
      return all;
    }
    HostSet s = subsets.get(subset);
    return s != null ? s : all;
  }

  /**
   * Records an attempt's outcome; ejects the host when it crosses a threshold and the share allows.
   */
  public void recordOutcome(UpstreamHost host, UpstreamHost.Outcome outcome) {
    DestinationConfig.OutlierConfig o = config.destination().outlier();
    if (!host.recordOutcome(outcome, o.consecutive5xx(), o.consecutiveConnectFailures())) {
      return;
    }
    long now = System.nanoTime();
    int ejected = 0;
    for (int i = 0; i < hosts.size(); i++) {
      if (hosts.get(i).isEjected(now)) {
        ejected++;
      }
    }
    if ((ejected + 1) * 100L > (long) hosts.size() * o.maxEjectionPercent()) {
      LOG.debug(
          "outlier not ejected (share limit) destination={} upstream={} ejected={} hosts={}",
          config.name(),
          host.hostPort(),
          ejected,
          hosts.size());
      return;
    }
    long duration = host.eject(now, o.baseEjectionNanos());
    LOG.warn(
        "outlier ejected destination={} upstream={} reason={} duration_ms={}",
        config.name(),
        host.hostPort(),
        outcome,
        TimeUnit.NANOSECONDS.toMillis(duration));
    listener.ejected(this, host);
  }

  /** Told about each ejection (for metrics). */
  public interface EjectionListener {
    /** {@code host} of {@code cluster} was just ejected. */
    void ejected(Cluster cluster, UpstreamHost host);
  }
}
