package io.raftmesh.agent.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.MeshSnapshot;
import io.raftmesh.agent.proxy.config.MeshTranslator;
import io.raftmesh.agent.proxy.config.ProxyConfigException;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.core.ProxyLimits;
import io.raftmesh.agent.proxy.core.RoutingState;
import io.raftmesh.agent.proxy.core.Transport;
import io.raftmesh.agent.proxy.http.ActiveHealthChecks;
import io.raftmesh.agent.proxy.http.HttpListeners;
import io.raftmesh.agent.proxy.http.UpstreamPools;
import io.raftmesh.agent.proxy.lb.ClusterRegistry;
import io.raftmesh.agent.proxy.metrics.EdgeSummary;
import io.raftmesh.agent.proxy.metrics.ProxyMetrics;
import io.raftmesh.agent.proxy.tcp.TcpListeners;
import io.raftmesh.agent.proxy.tls.ProxyTls;
import io.raftmesh.proto.v1.Resource;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's sidecar proxy: an inbound mutual-TLS listener per local service, loopback outbound
 * listeners for the upstreams they declare, and the routing, balancing and protection between.
 *
 * <p>Inputs, all swappable at run time without dropping connections or in-flight requests:
 *
 * <ul>
 *   <li>the mesh config: {@link #apply} with every resource at a revision (new requests use it);
 *   <li>each local service's certificate: {@link #putIdentity} (new handshakes use it);
 *   <li>the trust bundle: {@link #updateTrust}.
 * </ul>
 *
 * <p>Thread-safe. {@link #apply} calls are serialized.
 */
public final class SidecarProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SidecarProxy.class);

  private final List<LocalService> locals;
  private final Transport transport;
  private final ProxyContext ctx;
  private final UpstreamPools pools;
  private final MeshTranslator translator;
  private final ClusterRegistry clusters;
  private final ActiveHealthChecks healthChecks;
  private final List<Channel> listeners = new ArrayList<>();
  private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
  private boolean started;

  private SidecarProxy(Builder b) {
    this.locals = List.copyOf(b.locals);
    this.transport = Transport.create(b.threads, b.preferEpoll);
    ProxyTls tls = ProxyTls.create(requireNonNull(b.trust, "trustManager"), b.preferOpenSsl);
    for (Map.Entry<ServiceName, X509ExtendedKeyManager> e : b.identities.entrySet()) {
      tls.putIdentity(e.getKey(), e.getValue());
    }
    ProxyMetrics metrics = new ProxyMetrics(b.registry);
    this.ctx = new ProxyContext(transport, tls, metrics, b.limits, b.trustDomain);
    this.pools = new UpstreamPools(ctx);
    this.translator = new MeshTranslator(b.trustDomain);
    this.clusters =
        new ClusterRegistry((cluster, host) -> metrics.ejected(cluster.config().name().toString()));
    this.healthChecks = new ActiveHealthChecks(ctx, pools, locals);
  }

  /** A builder; trust domain, trust manager and one identity per local service are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Binds every listener. Throws if a port is taken or a local service has no identity. */
  public synchronized void start() throws InterruptedException, SSLException {
    if (started) {
      throw new IllegalStateException("start: already started");
    }
    started = true;
    try {
      for (LocalService l : locals) {
        if (!ctx.tls().hasIdentity(l.name())) {
          throw new SSLException(
              "identity: " + l.name() + " (expected: a key manager in the builder)");
        }
        ChannelInitializer<Channel> inbound =
            l.protocol().isHttp()
                ? HttpListeners.inbound(ctx, pools, l)
                : TcpListeners.inbound(ctx, l);
        bind("inbound|" + l.name(), l.inboundListen(), inbound);
        if (l.outboundHttpListen() != null
            && l.upstreams().stream().anyMatch(u -> u.tcpListen() == null)) {
          bind(
              "outbound-http|" + l.name(),
              l.outboundHttpListen(),
              HttpListeners.outbound(ctx, pools, l));
        }
        for (LocalService.Upstream u : l.upstreams()) {
          InetSocketAddress tcp = u.tcpListen();
          if (tcp != null) {
            bind(
                "outbound-tcp|" + l.name() + "|" + u.service(),
                tcp,
                TcpListeners.outbound(ctx, l, u.service()));
          }
        }
      }
    } catch (InterruptedException | SSLException | RuntimeException e) {
      close();
      throw e;
    }
    LOG.info(
        "proxy started services={} listeners={} transport={} tls={}",
        locals.size(),
        bound.size(),
        transport.name(),
        ctx.tls().providerName());
  }

  private void bind(String key, InetSocketAddress address, ChannelInitializer<Channel> init)
      throws InterruptedException {
    Channel ch =
        new ServerBootstrap()
            .group(transport.group())
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(init)
            .bind(address)
            .sync()
            .channel();
    listeners.add(ch);
    bound.put(key, (InetSocketAddress) ch.localAddress());
  }

  /**
   * Applies the complete set of mesh resources at {@code revision}. New requests and connections
   * use the new config at once; requests in flight finish on the config they started with, and open
   * connections stay open (connections to endpoints that left the mesh close once idle).
   *
   * @throws ProxyConfigException when the resources cannot be applied; nothing changes then, and
   *     the message says which resource and field were wrong (for the agent's NACK)
   */
  public synchronized void apply(List<Resource> allResources, long revision)
      throws ProxyConfigException {
    MeshSnapshot snapshot = translator.translate(allResources, revision);
    ClusterRegistry.Result result = clusters.build(snapshot);
    ctx.install(new RoutingState(snapshot, result.clusters()));
    pools.drop(result.removed());
    healthChecks.reconcile();
    LOG.info(
        "proxy config applied revision={} services={} endpoints_removed={}",
        revision,
        snapshot.services().size(),
        result.removed().size());
  }

  /** The revision of the config new requests use (0 before the first {@link #apply}). */
  public long revision() {
    return ctx.state().snapshot().revision();
  }

  /**
   * Installs or replaces the certificate of local service {@code service}: handshakes after this
   * call present it; open connections keep theirs.
   */
  public void putIdentity(ServiceName service, X509ExtendedKeyManager keyManager) {
    ctx.tls().putIdentity(service, keyManager);
  }

  /** Replaces the trust bundle for handshakes after this call. */
  public void updateTrust(X509ExtendedTrustManager trustManager) {
    ctx.tls().updateTrust(trustManager);
  }

  /** Traffic per edge since the previous call (deltas), for the agent to send upstream. */
  public List<EdgeSummary> drainEdgeSummaries() {
    return ctx.metrics().drainEdgeSummaries();
  }

  /** The bound address of a local service's inbound listener. */
  public @Nullable InetSocketAddress inboundAddress(ServiceName service) {
    return bound.get("inbound|" + service);
  }

  /** The bound address of a local service's outbound HTTP listener. */
  public @Nullable InetSocketAddress outboundHttpAddress(ServiceName service) {
    return bound.get("outbound-http|" + service);
  }

  /** The bound address of a local service's outbound TCP listener for {@code upstream}. */
  public @Nullable InetSocketAddress outboundTcpAddress(ServiceName service, ServiceName upstream) {
    return bound.get("outbound-tcp|" + service + "|" + upstream);
  }

  /** "OPENSSL" or "JDK". */
  public String tlsProvider() {
    return ctx.tls().providerName();
  }

  /** "epoll" or "nio". */
  public String transportName() {
    return transport.name();
  }

  /** Closes the listeners and every connection, and stops the event loops. */
  @Override
  public synchronized void close() {
    healthChecks.close();
    for (Channel ch : listeners) {
      ch.close().awaitUninterruptibly();
    }
    listeners.clear();
    transport.close();
  }

  /** Builds a {@link SidecarProxy}. */
  public static final class Builder {
    private String trustDomain = "";
    private final List<LocalService> locals = new ArrayList<>();
    private final Map<ServiceName, X509ExtendedKeyManager> identities = new HashMap<>();
    private @Nullable X509ExtendedTrustManager trust;
    private PrometheusRegistry registry = new PrometheusRegistry();
    private ProxyLimits limits = ProxyLimits.DEFAULT;
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private boolean preferEpoll = true;
    private boolean preferOpenSsl = true;

    private Builder() {}

    /** The mesh's SPIFFE trust domain (from the node's certificate). */
    public Builder trustDomain(String trustDomain) {
      this.trustDomain = requireNonNull(trustDomain, "trustDomain");
      return this;
    }

    /** Adds a local service. */
    public Builder localService(LocalService service) {
      locals.add(requireNonNull(service, "service"));
      return this;
    }

    /** The key manager (workload certificate) of a local service. */
    public Builder identity(ServiceName service, X509ExtendedKeyManager keyManager) {
      identities.put(requireNonNull(service, "service"), requireNonNull(keyManager, "keyManager"));
      return this;
    }

    /** The trust bundle's trust manager. */
    public Builder trustManager(X509ExtendedTrustManager trustManager) {
      this.trust = requireNonNull(trustManager, "trustManager");
      return this;
    }

    /** Where metrics are registered (default: a private registry). */
    public Builder registry(PrometheusRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    /** Protection limits (default {@link ProxyLimits#DEFAULT}). */
    public Builder limits(ProxyLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** Event-loop threads (default: one per core). */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
      }
      this.threads = threads;
      return this;
    }

    /** Whether to use native epoll when available (default true). */
    public Builder preferEpoll(boolean preferEpoll) {
      this.preferEpoll = preferEpoll;
      return this;
    }

    /** Whether to use OpenSSL (BoringSSL) when available (default true). */
    public Builder preferOpenSsl(boolean preferOpenSsl) {
      this.preferOpenSsl = preferOpenSsl;
      return this;
    }

    /** Builds the proxy (not started). */
    public SidecarProxy build() {
      if (trustDomain.isEmpty()) {
        throw new IllegalArgumentException("trustDomain: \"\" (expected: a trust domain)");
      }
      return new SidecarProxy(this);
    }
  }
}
