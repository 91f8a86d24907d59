package io.raftmesh.agent.proxy.testing;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.proxy.SidecarProxy;
import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.ProxyConfigException;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.core.ProxyLimits;
import io.raftmesh.proto.v1.Resource;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Real proxies in-process, with a test PKI; everything on loopback, closed by {@link #close}. */
public final class TestMesh implements AutoCloseable {
  /** The trust domain. */
  public static final String TD = "mesh.test";

  /** The namespace of every test service. */
  public static final String NS = "shop";

  private final TestPki pki = new TestPki(TD);
  private final List<SidecarProxy> proxies = new ArrayList<>();
  private final List<PrometheusRegistry> registries = new ArrayList<>();
  private ProxyLimits limits = ProxyLimits.DEFAULT;

  /** The PKI. */
  public TestPki pki() {
    return pki;
  }

  /** Limits for proxies started after this call. */
  public void limits(ProxyLimits l) {
    this.limits = l;
  }

  /** A service name in the test namespace. */
  public static ServiceName svc(String name) {
    return new ServiceName(NS, name);
  }

  /** Starts a proxy hosting {@code service} whose application listens at {@code app}. */
  public SidecarProxy server(String service, AppProtocol protocol, InetSocketAddress app)
      throws Exception {
    return start(
        new LocalService(
            svc(service), protocol, new InetSocketAddress("127.0.0.1", 0), app, null, List.of()));
  }

  /** Starts a proxy for a calling service {@code service} with the given upstreams. */
  public SidecarProxy client(String service, List<LocalService.Upstream> upstreams)
      throws Exception {
    return start(
        new LocalService(
            svc(service),
            AppProtocol.HTTP,
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 9),
            new InetSocketAddress("127.0.0.1", 0),
            upstreams));
  }

  /** Starts a proxy for {@code local}. */
  public SidecarProxy start(LocalService local) throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    SidecarProxy p =
        SidecarProxy.builder()
            .trustDomain(TD)
            .trustManager(pki.trustManager())
            .identity(local.name(), pki.workload(local.name().namespace(), local.name().name()))
            .localService(local)
            .registry(registry)
            .limits(limits)
            .threads(1)
            .build();
    proxies.add(p);
    registries.add(registry);
    p.start();
    return p;
  }

  /** The metrics registry of {@code proxy}. */
  public PrometheusRegistry registry(SidecarProxy proxy) {
    return registries.get(proxies.indexOf(proxy));
  }

  /** The sum of a counter's data points in {@code proxy}'s registry (0 when absent). */
  public double counter(SidecarProxy proxy, String name) {
    double sum = 0;
    for (var snapshot : registry(proxy).scrape()) {
      if (snapshot.getMetadata().getName().equals(name)
          && snapshot instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot) {
        for (var d :
            ((io.prometheus.metrics.model.snapshots.CounterSnapshot) snapshot).getDataPoints()) {
          sum += d.getValue();
        }
      }
    }
    return sum;
  }

  /** The inbound port of {@code proxy}'s service. */
  public static int inboundPort(SidecarProxy proxy, String service) {
    return Objects.requireNonNull(proxy.inboundAddress(svc(service))).getPort();
  }

  /** Applies {@code resources} to every proxy. */
  public void applyAll(List<Resource> resources, long revision) throws ProxyConfigException {
    for (SidecarProxy p : proxies) {
      p.apply(resources, revision);
    }
  }

  @Override
  public void close() {
    for (SidecarProxy p : proxies) {
      p.close();
    }
    proxies.clear();
  }
}
