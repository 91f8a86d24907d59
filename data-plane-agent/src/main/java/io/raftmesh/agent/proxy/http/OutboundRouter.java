package io.raftmesh.agent.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.HttpRouteConfig;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.RetryConfig;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.config.WeightedTargetConfig;
import io.raftmesh.agent.proxy.core.DestinationState;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.core.RoutingState;
import io.raftmesh.agent.proxy.lb.Cluster;
import io.raftmesh.agent.proxy.lb.HostSet;
import io.raftmesh.agent.proxy.lb.UpstreamHost;
import io.raftmesh.agent.proxy.metrics.EdgeMetrics;
import io.raftmesh.agent.proxy.metrics.Traceparent;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Routes requests from a local application's HTTP listener: the {@code Host} (or {@code
 * :authority}) names a declared upstream; its TrafficRoute picks a weighted target; the target's
 * host set and load balancer pick an endpoint; the exchange then runs with the route's timeout,
 * retries and faults and the destination's circuit breaker.
 */
final class OutboundRouter implements HttpDownstreamHandler.Starter {
  private final ProxyContext ctx;
  private final UpstreamPools pools;
  private final LocalService source;
  private final String sourceLabel;
  private final Map<String, ServiceName> hosts = new HashMap<>();
  private final Map<ServiceName, EdgeMetrics> edges = new ConcurrentHashMap<>();
  private final EdgeMetrics unknownEdge;

  OutboundRouter(ProxyContext ctx, UpstreamPools pools, LocalService source) {
    this.ctx = ctx;
    this.pools = pools;
    this.source = source;
    this.sourceLabel = source.name().toString();
    for (LocalService.Upstream u : source.upstreams()) {
      if (u.tcpListen() == null) {
        ServiceName s = u.service();
        hosts.put(s.name(), s);
        hosts.put(s.name() + "." + s.namespace(), s);
        hosts.put(s.name() + "." + s.namespace() + ".svc", s);
      }
    }
    this.unknownEdge = ctx.metrics().edge("outbound", sourceLabel, "unknown");
  }

  @Override
  public Exchange start(Exchange.Downstream d, HttpRequest head, boolean bodyless) {
    String incoming = head.headers().get(HeaderRules.TRACEPARENT);
    String traceparent = Traceparent.nextHop(incoming);
    head.headers().set(HeaderRules.TRACEPARENT, traceparent);
    head.headers().remove(HeaderRules.PEER_IDENTITY);
    String traceId = Traceparent.traceId(traceparent);
    ServiceName dest = destination(head.headers().get(HttpHeaderNames.HOST));
    if (dest == null) {
      ctx.metrics().rejected("unknown-host");
      return local(d, head, bodyless, unknownEdge, "unknown", traceId, 404, "unknown-host");
    }
    EdgeMetrics edge =
        edges.computeIfAbsent(dest, s -> ctx.metrics().edge("outbound", sourceLabel, s.toString()));
    RoutingState st = ctx.state();
    Cluster cluster = st.cluster(dest);
    if (cluster == null) {
      return local(d, head, bodyless, edge, dest.toString(), traceId, 503, "unknown-service");
    }
    if (!cluster.config().protocol().isHttp()) {
      return local(d, head, bodyless, edge, dest.toString(), traceId, 502, "destination-not-http");
    }
    HttpRouteConfig route = cluster.config().route(head);
    Cluster target = cluster;
    String subset = "";
    if (route != null) {
      WeightedTargetConfig t = route.pick(ThreadLocalRandom.current().nextInt(100));
      subset = t.subset();
      if (!t.service().equals(dest)) {
        Cluster other = st.cluster(t.service());
        if (other == null) {
          return local(d, head, bodyless, edge, dest.toString(), traceId, 503, "unknown-service");
        }
        target = other;
      }
    }
    DestinationConfig dc = target.config().destination();
    HostSet hostSet = target.hostSet(subset);
    CharSequence hashKey =
        dc.algorithm() == DestinationConfig.Algorithm.RING_HASH
            ? head.headers().get(dc.hashHeader())
            : null;
    DestinationState protection = ctx.destination(target.config().name(), dc);
    EventLoop loop = d.channel().eventLoop();
    Exchange.TargetPicker picker =
        previous -> {
          UpstreamHost h = hostSet.pick(hashKey, previous);
          return h == null ? null : new Exchange.Target(pools.mesh(loop, source.name(), h), h);
        };
    Exchange e =
        new Exchange(
            d,
            head,
            new Exchange.Plan(
                "outbound",
                sourceLabel,
                dest.toString(),
                edge,
                picker,
                target,
                protection,
                route == null ? RetryConfig.NONE : route.retry(),
                route == null ? 0 : route.timeoutNanos(),
                route == null ? null : route.fault(),
                traceId,
                ctx.limits().retryBufferBytes()),
            bodyless);
    e.start();
    return e;
  }

  private Exchange local(
      Exchange.Downstream d,
      HttpRequest head,
      boolean bodyless,
      EdgeMetrics edge,
      String destination,
      String traceId,
      int status,
      String reason) {
    Exchange e =
        new Exchange(
            d,
            head,
            new Exchange.Plan(
                "outbound",
                sourceLabel,
                destination,
                edge,
                prev -> null,
                null,
                null,
                RetryConfig.NONE,
                0,
                null,
                traceId,
                0),
            bodyless);
    e.respondLocal(status, HeaderRules.ERROR, reason);
    return e;
  }

  private @Nullable ServiceName destination(@Nullable String host) {
    if (host == null) {
      return null;
    }
    int colon = host.lastIndexOf(':');
    String name = colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
    ServiceName s = hosts.get(name);
    return s != null ? s : hosts.get(name.toLowerCase(Locale.ROOT));
  }
}
