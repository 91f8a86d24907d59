package io.raftmesh.agent.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.core.DestinationState;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.lb.Cluster;
import io.raftmesh.agent.proxy.lb.UpstreamHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The upstream pools of one proxy, kept per event loop (in a {@link FastThreadLocal}): a request
 * handled on loop L only ever uses L's pools, so pools need no locks and a request never changes
 * threads. Mesh pools are keyed by the calling local service (whose certificate they present) and
 * the upstream host; application pools by the local service.
 */
public final class UpstreamPools {
  private final ProxyContext ctx;
  private final FastThreadLocal<LoopPools> perLoop =
      new FastThreadLocal<>() {
        @Override
        protected LoopPools initialValue() {
          return new LoopPools();
        }
      };

  /** Pools for the proxy of {@code ctx}. */
  public UpstreamPools(ProxyContext ctx) {
    this.ctx = ctx;
  }

  /** The mesh pool from {@code source} to {@code host} on the calling event loop. */
  StreamSource mesh(EventLoop loop, ServiceName source, UpstreamHost host) throws SSLException {
    LoopPools p = perLoop.get();
    Map<UpstreamHost, H2Pool> bySource = p.mesh.get(source);
    if (bySource == null) {
      bySource = new IdentityHashMap<>();
      p.mesh.put(source, bySource);
    }
    H2Pool pool = bySource.get(host);
    if (pool == null) {
      ServiceName dest = host.service();
      DestinationState state = ctx.destination(dest, destinationConfig(dest));
      pool =
          new H2Pool(
              ctx,
              loop,
              host.address(),
              host.port(),
              ctx.tls().clientContext(source, true),
              dest.spiffeId(ctx.trustDomain()),
              state.breaker(),
              new H2Pool.Settings() {
                @Override
                public long connectTimeoutNanos() {
                  return destinationConfig(dest).connectTimeoutNanos();
                }

                @Override
                public long idleTimeoutNanos() {
                  return destinationConfig(dest).idleTimeoutNanos();
                }

                @Override
                public void connectFailed() {
                  ctx.metrics().connectFailed(dest.toString());
                }
              });
      bySource.put(host, pool);
    }
    return pool;
  }

  /** The pool to the local application of {@code service} on the calling event loop. */
  StreamSource app(EventLoop loop, LocalService service) {
    LoopPools p = perLoop.get();
    StreamSource pool = p.app.get(service.name());
    if (pool == null) {
      if (service.protocol().isH2()) {
        pool =
            new H2Pool(
                ctx,
                loop,
                service.app().getHostString(),
                service.app().getPort(),
                null,
                null,
                null,
                new H2Pool.Settings() {
                  @Override
                  public long connectTimeoutNanos() {
                    return DestinationConfig.DEFAULT.connectTimeoutNanos();
                  }

                  @Override
                  public long idleTimeoutNanos() {
                    return DestinationConfig.DEFAULT.idleTimeoutNanos();
                  }

                  @Override
                  public void connectFailed() {
                    ctx.metrics().connectFailed(service.name().toString());
                  }
                });
      } else {
        pool = new H1Pool(ctx, loop, service.app());
      }
      p.app.put(service.name(), pool);
    }
    return pool;
  }

  /** Closes every loop's pools to {@code hosts} (they left the mesh); streams in flight finish. */
  public void drop(List<UpstreamHost> hosts) {
    if (hosts.isEmpty()) {
      return;
    }
    List<UpstreamHost> copy = new ArrayList<>(hosts);
    for (EventExecutor e : ctx.transport().group()) {
      e.execute(
          () -> {
            LoopPools p = perLoop.get();
            for (Map<UpstreamHost, H2Pool> bySource : p.mesh.values()) {
              for (UpstreamHost h : copy) {
                H2Pool pool = bySource.remove(h);
                if (pool != null) {
                  pool.close();
                }
              }
            }
          });
    }
  }

  private DestinationConfig destinationConfig(ServiceName dest) {
    Cluster c = ctx.state().cluster(dest);
    return c != null ? c.config().destination() : DestinationConfig.DEFAULT;
  }

  /** One event loop's pools. */
  private static final class LoopPools {
    final Map<ServiceName, Map<UpstreamHost, H2Pool>> mesh = new HashMap<>();
    final Map<ServiceName, StreamSource> app = new HashMap<>();
  }
}
