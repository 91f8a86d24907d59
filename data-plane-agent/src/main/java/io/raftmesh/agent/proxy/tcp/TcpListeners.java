package io.raftmesh.agent.proxy.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.raftmesh.agent.proxy.config.AuthorizationConfig;
import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.config.WeightedTargetConfig;
import io.raftmesh.agent.proxy.core.DestinationState;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.lb.Cluster;
import io.raftmesh.agent.proxy.lb.HostSet;
import io.raftmesh.agent.proxy.lb.UpstreamHost;
import io.raftmesh.agent.proxy.metrics.EdgeMetrics;
import io.raftmesh.agent.proxy.tls.InboundTlsHandler;
import io.raftmesh.agent.proxy.tls.PeerIdentity;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel initializers of the proxy's TCP listeners: an outbound loopback listener per declared TCP
 * upstream (each accepted connection gets a new mutual-TLS connection to an endpoint, chosen by the
 * TrafficRoute's tcp_split and the load balancer, with up to three endpoints tried), and the
 * inbound mutual-TLS listener of a local TCP service (authorized per connection, then relayed to
 * the application). Bytes are relayed opaquely, with backpressure both ways.
 */
// Close futures of refused or failed connections are not awaited.
@SuppressWarnings("FutureReturnValueIgnored")
public final class TcpListeners {
  private static final Logger LOG = LoggerFactory.getLogger(TcpListeners.class);
  private static final int MAX_TRIES = 3;

  private TcpListeners() {}

  /** The loopback listener of {@code source}'s TCP upstream {@code upstream}. */
  public static ChannelInitializer<Channel> outbound(
      ProxyContext ctx, LocalService source, ServiceName upstream) throws SSLException {
    SslContext ssl = ctx.tls().clientContext(source.name(), false);
    EdgeMetrics edge =
        ctx.metrics().edge("outbound", source.name().toString(), upstream.toString());
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel client) {
        client.config().setAutoRead(false);
        TcpSession session =
            new TcpSession(
                ctx.metrics(), "outbound", source.name().toString(), upstream.toString());
        client.closeFuture().addListener(f -> session.closed());
        client
            .eventLoop()
            .execute(() -> connect(ctx, ssl, client, upstream, session, edge, null, 1));
      }
    };
  }

  private static void connect(
      ProxyContext ctx,
      SslContext ssl,
      Channel client,
      ServiceName upstream,
      TcpSession session,
      EdgeMetrics edge,
      @Nullable UpstreamHost previous,
      int attempt) {
    if (!client.isActive()) {
      return;
    }
    Cluster cluster = ctx.state().cluster(upstream);
    if (cluster == null) {
      LOG.debug("tcp outbound: unknown service {}", upstream);
      client.close();
      return;
    }
    Cluster target = cluster;
    String subset = "";
    List<WeightedTargetConfig> split = cluster.config().tcpSplit();
    if (!split.isEmpty()) {
      int roll = ThreadLocalRandom.current().nextInt(100);
      int acc = 0;
      for (WeightedTargetConfig t : split) {
        acc += t.weight();
        if (roll < acc) {
          Cluster other = ctx.state().cluster(t.service());
          target = other != null ? other : cluster;
          subset = t.subset();
          break;
        }
      }
    }
    HostSet hosts = target.hostSet(subset);
    UpstreamHost host = hosts.pick(null, previous);
    if (host == null) {
      LOG.debug("tcp outbound: no endpoint for {}", upstream);
      client.close();
      return;
    }
    DestinationConfig dc = target.config().destination();
    DestinationState protection = ctx.destination(target.config().name(), dc);
    String refused = protection.breaker().tryAcquireConnection();
    if (refused != null) {
      protection.overflowed(refused);
      client.close();
      return;
    }
    Cluster owner = target;
    String expected = host.service().spiffeId(ctx.trustDomain());
    boolean[] relayed = {false};
    long timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(dc.connectTimeoutNanos()));
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(ctx.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel up) {
                    SslHandler tls = ssl.newHandler(up.alloc(), host.address(), host.port());
                    tls.setHandshakeTimeoutMillis(timeoutMillis);
                    up.pipeline().addLast(tls);
                    up.pipeline()
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              private boolean handled;

                              @Override
                              public void userEventTriggered(ChannelHandlerContext c, Object evt) {
                                if (!(evt instanceof SslHandshakeCompletionEvent) || handled) {
                                  c.fireUserEventTriggered(evt);
                                  return;
                                }
                                handled = true;
                                SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
                                String peer =
                                    e.isSuccess()
                                        ? PeerIdentity.spiffeId(tls.engine().getSession())
                                        : null;
                                if (!e.isSuccess() || !expected.equals(peer)) {
                                  LOG.warn(
                                      "tcp, proxy => {}, {}",
                                      host.hostPort(),
                                      e.isSuccess()
                                          ? "server identity: "
                                              + peer
                                              + " (expected: "
                                              + expected
                                              + ")"
                                          : "TLS handshake failed: " + e.cause());
                                  c.close();
                                  return;
                                }
                                c.pipeline().remove(this);
                                relayed[0] = true;
                                host.requestStarted();
                                c.channel().closeFuture().addListener(f -> host.requestFinished());
                                owner.recordOutcome(host, UpstreamHost.Outcome.SUCCESS);
                                session.opened(edge, host.hostPort());
                                c.pipeline().addLast(new RelayHandler(client, session, false));
                                client
                                    .pipeline()
                                    .addLast(new RelayHandler(c.channel(), session, true));
                                client.config().setAutoRead(true);
                                c.channel().config().setAutoRead(true);
                              }

                              @Override
                              public void channelInactive(ChannelHandlerContext c) {
                                handled = true;
                                c.fireChannelInactive();
                              }
                            });
                  }
                });
    Channel up = b.connect(host.address(), host.port()).channel();
    up.closeFuture()
        .addListener(
            f -> {
              protection.breaker().releaseConnection();
              if (!relayed[0] && client.isActive()) {
                // Never got to relaying: connect, handshake or identity failed.
                ctx.metrics().connectFailed(upstream.toString());
                owner.recordOutcome(host, UpstreamHost.Outcome.CONNECT_FAILURE);
                if (attempt < MAX_TRIES) {
                  connect(ctx, ssl, client, upstream, session, edge, host, attempt + 1);
                } else {
                  session.failed(new SSLException("no endpoint reachable"));
                  client.close();
                }
              }
            });
  }

  /** The mutual-TLS listener of local TCP service {@code local}. */
  public static ChannelInitializer<Channel> inbound(ProxyContext ctx, LocalService local)
      throws SSLException {
    SslContext ssl = ctx.tls().serverContext(local.name(), false, false);
    String dest = local.name().toString();
    InboundTlsHandler.Stage stage =
        (ch, alpn) -> {
          String peer = ch.attr(InboundTlsHandler.PEER_ID).get();
          AuthorizationConfig authz = ctx.state().snapshot().authorization(local.name());
          if (!authz.allowsConnection(peer)) {
            ctx.metrics().denied(dest, "tcp");
            LOG.warn("authorization denied destination={} source={} protocol=tcp", dest, peer);
            ch.close();
            return;
          }
          relayToApp(ctx, ch, local, peer);
        };
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast(
                "tls-sniff",
                new InboundTlsHandler(
                    ssl,
                    ctx.limits().tlsHandshakeTimeoutNanos(),
                    () -> ctx.state().snapshot().permissive(),
                    stage,
                    () -> ctx.metrics().rejected("tls-refused")));
      }
    };
  }

  private static void relayToApp(
      ProxyContext ctx, Channel client, LocalService local, @Nullable String peer) {
    client.config().setAutoRead(false);
    EarlyDataBuffer early = new EarlyDataBuffer();
    client.pipeline().addLast(early);
    ServiceName caller = PeerIdentity.service(peer, ctx.trustDomain());
    String dest = local.name().toString();
    EdgeMetrics edge =
        ctx.metrics().edge("inbound", caller == null ? "unknown" : caller.toString(), dest);
    TcpSession session = new TcpSession(ctx.metrics(), "inbound", peer, dest);
    client.closeFuture().addListener(f -> session.closed());
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(ctx.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
            .handler(new ChannelInboundHandlerAdapter());
    b.connect(local.app())
        .addListener(
            f -> {
              Channel app = ((io.netty.channel.ChannelFuture) f).channel();
              if (!f.isSuccess() || !client.isActive()) {
                ctx.metrics().connectFailed(dest);
                app.close();
                client.close();
                return;
              }
              session.opened(edge, local.app().toString());
              app.pipeline().addLast(new RelayHandler(client, session, false));
              client.pipeline().addLast(new RelayHandler(app, session, true));
              early.drainTo(app, session);
              app.config().setAutoRead(true);
              client.config().setAutoRead(true);
            });
  }
}
