package io.raftmesh.agent.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeKey;
import io.raftmesh.agent.proxy.config.AuthorizationConfig;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.RetryConfig;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.metrics.EdgeMetrics;
import io.raftmesh.agent.proxy.metrics.Traceparent;
import io.raftmesh.agent.proxy.tls.InboundTlsHandler;
import io.raftmesh.agent.proxy.tls.PeerIdentity;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles requests arriving at a local service's inbound listener: checks the path is in normal
 * form and the caller's SPIFFE ID (from the TLS handshake) against the service's authorization
 * policy, replaces any client-sent identity header with the verified one, starts a new trace span,
 * and forwards to the local application through its pool. Denials get 403, are counted, and are
 * logged (at most one line per second per service, with the number suppressed).
 */
final class InboundRouter implements HttpDownstreamHandler.Starter {
  private static final Logger LOG = LoggerFactory.getLogger(InboundRouter.class);
  private static final AttributeKey<EdgeMetrics> EDGE =
      AttributeKey.valueOf("raftmesh.inbound-edge");
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ProxyContext ctx;
  private final UpstreamPools pools;
  private final LocalService local;
  private final String destLabel;
  private final AtomicLong lastDenialLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final AtomicLong suppressed = new AtomicLong();

  InboundRouter(ProxyContext ctx, UpstreamPools pools, LocalService local) {
    this.ctx = ctx;
    this.pools = pools;
    this.local = local;
    this.destLabel = local.name().toString();
  }

  @Override
  public Exchange start(Exchange.Downstream d, HttpRequest head, boolean bodyless) {
    Channel conn = d.channel().parent() != null ? d.channel().parent() : d.channel();
    String peer = conn.attr(InboundTlsHandler.PEER_ID).get();
    EdgeMetrics edge = conn.attr(EDGE).get();
    if (edge == null) {
      ServiceName caller = PeerIdentity.service(peer, ctx.trustDomain());
      edge =
          ctx.metrics().edge("inbound", caller == null ? "unknown" : caller.toString(), destLabel);
      conn.attr(EDGE).set(edge);
    }
    String traceparent = Traceparent.nextHop(head.headers().get(HeaderRules.TRACEPARENT));
    head.headers().set(HeaderRules.TRACEPARENT, traceparent);
    head.headers().remove(HeaderRules.PEER_IDENTITY);
    if (peer != null) {
      head.headers().set(HeaderRules.PEER_IDENTITY, peer);
    }
    EventLoop loop = d.channel().eventLoop();
    Exchange e =
        new Exchange(
            d,
            head,
            new Exchange.Plan(
                "inbound",
                peer,
                destLabel,
                edge,
                prev -> new Exchange.Target(pools.app(loop, local), null),
                null,
                null,
                RetryConfig.NONE,
                0,
                null,
                Traceparent.traceId(traceparent),
                0),
            bodyless);
    String uri = head.uri();
    if (!HeaderRules.isNormalizedPath(uri)) {
      ctx.metrics().rejected("non-normalized-path");
      e.respondLocal(400, HeaderRules.ERROR, "non-normalized-path");
      return e;
    }
    AuthorizationConfig authz = ctx.state().snapshot().authorization(local.name());
    String method = head.method().name();
    if (!authz.allowsRequest(peer, method, uri)) {
      ctx.metrics().denied(destLabel, "http");
      logDenial(peer, method, uri);
      e.respondLocal(403, HeaderRules.ERROR, "forbidden");
      return e;
    }
    if (!local.protocol().isH2()) {
      HeaderRules.forH1(head, false);
    }
    e.start();
    return e;
  }

  private void logDenial(@Nullable String peer, String method, String uri) {
    long now = System.nanoTime();
    long last = lastDenialLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastDenialLog.compareAndSet(last, now)) {
      LOG.warn(
          "authorization denied destination={} source={} method={} path={} suppressed={}",
          destLabel,
          peer,
          method,
          uri,
          suppressed.getAndSet(0));
    } else {
      suppressed.incrementAndGet();
    }
  }
}
