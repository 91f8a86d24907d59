package io.raftmesh.agent.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.lb.Cluster;
import io.raftmesh.agent.proxy.lb.UpstreamHost;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of the destinations this node calls and whose DestinationPolicy asks for
 * them: every interval, each endpoint gets an HTTP GET of the policy's path through the mesh (over
 * the same mutual-TLS HTTP/2 pools requests use, presenting the caller's identity), or a TCP
 * connect to its inbound listener when no path is set. Thresholds of consecutive results flip an
 * endpoint's active health; unhealthy endpoints get no new requests. One timer per destination on
 * one event loop; the checks of that destination run on that loop.
 */
// Check connections are best-effort: their failures are the check results.
@SuppressWarnings("FutureReturnValueIgnored")
public final class ActiveHealthChecks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthChecks.class);

  private final ProxyContext ctx;
  private final UpstreamPools pools;
  private final Map<ServiceName, ServiceName> callerOf = new HashMap<>();
  private final Map<ServiceName, ScheduledFuture<?>> timers = new HashMap<>();

  /** Checks for the upstreams declared by {@code locals}. */
  public ActiveHealthChecks(ProxyContext ctx, UpstreamPools pools, List<LocalService> locals) {
    this.ctx = ctx;
    this.pools = pools;
    for (LocalService l : locals) {
      for (LocalService.Upstream u : l.upstreams()) {
        callerOf.putIfAbsent(u.service(), l.name());
      }
    }
  }

  /** Starts or stops timers to match the current config; call after each reload. */
  public synchronized void reconcile() {
    for (Map.Entry<ServiceName, ServiceName> e : callerOf.entrySet()) {
      ServiceName dest = e.getKey();
      Cluster c = ctx.state().cluster(dest);
      boolean wanted = c != null && c.config().destination().healthCheck() != null;
      ScheduledFuture<?> t = timers.get(dest);
      if (wanted && t == null && c != null) {
        DestinationConfig.HealthCheckConfig hc = c.config().destination().healthCheck();
        long interval = hc == null ? TimeUnit.SECONDS.toNanos(10) : hc.intervalNanos();
        EventLoop loop = ctx.transport().group().next();
        timers.put(
            dest,
            loop.scheduleWithFixedDelay(
                () -> runChecks(loop, dest, e.getValue()), 0, interval, TimeUnit.NANOSECONDS));
      } else if (!wanted && t != null) {
        t.cancel(false);
        timers.remove(dest);
      }
    }
  }

  private void runChecks(EventLoop loop, ServiceName dest, ServiceName caller) {
    Cluster c = ctx.state().cluster(dest);
    DestinationConfig.HealthCheckConfig hc =
        c == null ? null : c.config().destination().healthCheck();
    if (c == null || hc == null) {
      return;
    }
    for (UpstreamHost h : c.hosts()) {
      if (hc.httpPath().isEmpty()) {
        tcpCheck(loop, h, hc);
      } else {
        httpCheck(loop, h, hc, caller);
      }
    }
  }

  private void tcpCheck(EventLoop loop, UpstreamHost h, DestinationConfig.HealthCheckConfig hc) {
    new Bootstrap()
        .group(loop)
        .channel(ctx.transport().socketChannel())
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(hc.timeoutNanos())))
        .handler(new ChannelInboundHandlerAdapter())
        .connect(h.address(), h.port())
        .addListener(
            f -> {
              record(h, hc, f.isSuccess());
              ((io.netty.channel.ChannelFuture) f).channel().close();
            });
  }

  private void httpCheck(
      EventLoop loop, UpstreamHost h, DestinationConfig.HealthCheckConfig hc, ServiceName caller) {
    StreamSource source;
    try {
      source = pools.mesh(loop, caller, h);
    } catch (SSLException e) {
      LOG.debug("health check skipped, no identity for {}: {}", caller, e.toString());
      return;
    }
    Probe probe = new Probe(h, hc);
    probe.timer = loop.schedule(() -> probe.finish(false), hc.timeoutNanos(), TimeUnit.NANOSECONDS);
    source.acquire(probe);
  }

  private void record(UpstreamHost h, DestinationConfig.HealthCheckConfig hc, boolean ok) {
    if (h.recordCheck(ok, hc.healthyThreshold(), hc.unhealthyThreshold())) {
      LOG.warn(
          "active health changed destination={} upstream={} healthy={}",
          h.service(),
          h.hostPort(),
          h.activelyHealthy());
    }
  }

  @Override
  public synchronized void close() {
    for (ScheduledFuture<?> t : timers.values()) {
      t.cancel(false);
    }
    timers.clear();
  }

  /** One HTTP check. */
  private final class Probe implements ResponseListener {
    private final UpstreamHost host;
    private final DestinationConfig.HealthCheckConfig hc;
    private @Nullable UpstreamLease lease;
    private @Nullable ScheduledFuture<?> timer;
    private boolean done;

    Probe(UpstreamHost host, DestinationConfig.HealthCheckConfig hc) {
      this.host = host;
      this.hc = hc;
    }

    void finish(boolean ok) {
      if (done) {
        return;
      }
      done = true;
      if (timer != null) {
        timer.cancel(false);
      }
      UpstreamLease l = lease;
      if (l != null) {
        l.release(false);
      }
      record(host, hc, ok);
    }

    @Override
    public void onAcquired(UpstreamLease l) {
      if (done) {
        l.release(false);
        return;
      }
      lease = l;
      DefaultFullHttpRequest req =
          new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, hc.httpPath());
      req.headers().set(HttpHeaderNames.HOST, host.service().name());
      req.headers().set("user-agent", "raftmesh-health-check");
      Channel ch = l.channel();
      ch.writeAndFlush(req);
    }

    @Override
    public void onAcquireFailed(AcquireFailure failure, String detail) {
      finish(false);
    }

    @Override
    public void onResponseObject(HttpObject msg) {
      try {
        if (msg instanceof HttpResponse) {
          int code = ((HttpResponse) msg).status().code();
          if (code >= 200) {
            finish(code < 400);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void onResponseReadComplete() {}

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
      finish(false);
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}
  }
}
