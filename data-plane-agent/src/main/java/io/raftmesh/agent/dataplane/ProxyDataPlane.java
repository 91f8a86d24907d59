package io.raftmesh.agent.dataplane;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.agent.config.UpstreamConfig;
import io.raftmesh.agent.proxy.SidecarProxy;
import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.ProxyConfigException;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.metrics.EdgeSummary;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.TrafficDirection;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The data plane of a real node: the in-process {@link SidecarProxy}. Each local service of the
 * config becomes a proxy {@link LocalService} (inbound mutual-TLS listener on {@code
 * inbound-address:inbound-port}, the application at {@code app-address:app-port}, a loopback HTTP
 * listener on {@code outbound-address:outbound-port} for HTTP upstreams, one loopback TCP listener
 * per upstream with a {@code local-port}). The agent's live key and trust managers go to the proxy
 * once; rotation updates them in place.
 */
public final class ProxyDataPlane implements DataPlane {
  private final AgentConfig config;
  private final String trustDomain;
  private final PrometheusRegistry registry;
  private @Nullable SidecarProxy proxy;

  /** A proxy data plane (not started) for {@code config}'s local services. */
  public ProxyDataPlane(AgentConfig config, String trustDomain, PrometheusRegistry registry) {
    this.config = requireNonNull(config, "config");
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
    this.registry = requireNonNull(registry, "registry");
  }

  /** The proxy's view of a local service from the agent's config. */
  static LocalService localService(AgentConfig config, LocalServiceConfig s) {
    List<LocalService.Upstream> upstreams = new ArrayList<>();
    for (UpstreamConfig u : s.upstreams()) {
      ServiceName name = new ServiceName(u.namespace(), u.service());
      upstreams.add(
          u.localPort() == 0
              ? LocalService.Upstream.http(name)
              : LocalService.Upstream.tcp(
                  name, new InetSocketAddress(config.outboundAddress(), u.localPort())));
    }
    return new LocalService(
        new ServiceName(s.namespace(), s.name()),
        AppProtocol.of(s.protocol()),
        new InetSocketAddress(config.inboundAddress(), s.inboundPort()),
        new InetSocketAddress(s.appAddress(), s.appPort()),
        s.outboundPort() == 0
            ? null
            : new InetSocketAddress(config.outboundAddress(), s.outboundPort()),
        upstreams);
  }

  @Override
  public synchronized void start(
      Map<LocalServiceConfig, X509ExtendedKeyManager> identities, X509ExtendedTrustManager trust)
      throws Exception {
    SidecarProxy.Builder builder =
        SidecarProxy.builder().trustDomain(trustDomain).trustManager(trust).registry(registry);
    for (Map.Entry<LocalServiceConfig, X509ExtendedKeyManager> e : identities.entrySet()) {
      LocalService local = localService(config, e.getKey());
      builder.localService(local).identity(local.name(), e.getValue());
    }
    SidecarProxy built = builder.build();
    built.start();
    proxy = built;
  }

  @Override
  public void apply(List<Resource> resources, long revision) throws RejectedConfigException {
    SidecarProxy p;
    synchronized (this) {
      p = proxy;
    }
    if (p == null) {
      throw new RejectedConfigException("proxy not started");
    }
    try {
      p.apply(resources, revision);
    } catch (ProxyConfigException e) {
      throw new RejectedConfigException(String.valueOf(e.getMessage()), e);
    }
  }

  @Override
  public List<EdgeTraffic> drainTraffic() {
    SidecarProxy p;
    synchronized (this) {
      p = proxy;
    }
    if (p == null) {
      return List.of();
    }
    List<EdgeTraffic> out = new ArrayList<>();
    for (EdgeSummary s : p.drainEdgeSummaries()) {
      out.add(
          EdgeTraffic.newBuilder()
              .setDirection(
                  s.direction().equals("inbound")
                      ? TrafficDirection.TRAFFIC_DIRECTION_INBOUND
                      : TrafficDirection.TRAFFIC_DIRECTION_OUTBOUND)
              .setSource(s.source())
              .setDestination(s.destination())
              .setRequests(s.requests())
              .setSuccesses(s.successes())
              .addAllBucketUpperBoundsSeconds(s.bucketUpperBoundsSeconds())
              .addAllBucketCounts(s.bucketCounts())
              .build());
    }
    return out;
  }

  /** The running proxy (for tests and status), or null before {@link #start}. */
  public synchronized @Nullable SidecarProxy proxy() {
    return proxy;
  }

  @Override
  public synchronized void close() {
    if (proxy != null) {
      proxy.close();
      proxy = null;
    }
  }
}
