package io.raftmesh.agent.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.tls.InboundTlsHandler;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** Channel initializers of the proxy's HTTP listeners. */
public final class HttpListeners {
  private HttpListeners() {}

  /**
   * The loopback listener through which {@code source}'s application reaches its HTTP upstreams
   * (HTTP/1.1, or HTTP/2 with prior knowledge, e.g. gRPC).
   */
  public static ChannelInitializer<Channel> outbound(
      ProxyContext ctx, UpstreamPools pools, LocalService source) {
    OutboundRouter router = new OutboundRouter(ctx, pools, source);
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(idle(ctx)).addLast("sniff", HttpPipelines.sniffer(router, ctx));
      }
    };
  }

  /**
   * The mutual-TLS listener of local HTTP service {@code local}: ALPN selects HTTP/2 or HTTP/1.1;
   * plaintext callers are served (HTTP/1.1 or h2c) only in permissive mode.
   */
  public static ChannelInitializer<Channel> inbound(
      ProxyContext ctx, UpstreamPools pools, LocalService local) throws SSLException {
    InboundRouter router = new InboundRouter(ctx, pools, local);
    SslContext ssl = ctx.tls().serverContext(local.name(), true, false);
    InboundTlsHandler.Stage stage =
        (ch, alpn) -> {
          if (alpn == null) {
            ch.pipeline().addLast("sniff", HttpPipelines.sniffer(router, ctx));
          } else if (ApplicationProtocolNames.HTTP_2.equals(alpn)) {
            HttpPipelines.h2(ch, router, ctx);
          } else {
            HttpPipelines.h1(ch, router, ctx);
          }
        };
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast(idle(ctx))
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

  private static IdleStateHandler idle(ProxyContext ctx) {
    return new IdleStateHandler(
        0, 0, ctx.limits().downstreamIdleTimeoutNanos(), TimeUnit.NANOSECONDS);
  }
}
