package io.raftmesh.agent.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.core.ProxyLimits;
import java.util.List;

/** Builds the server side of HTTP connections: HTTP/1.1, HTTP/2, or sniffed cleartext. */
// Close futures on idle connections are not awaited.
@SuppressWarnings("FutureReturnValueIgnored")
final class HttpPipelines {
  private static final Http2StreamFrameToHttpObjectCodec SERVER_CODEC =
      new Http2StreamFrameToHttpObjectCodec(true, false);
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private static final ChannelHandler IDLE_CLOSER = new IdleCloser();

  private HttpPipelines() {}

  /** Makes {@code ch} an HTTP/1.1 server connection. */
  static void h1(Channel ch, HttpDownstreamHandler.Starter starter, ProxyContext ctx) {
    ProxyLimits l = ctx.limits();
    SlowRequestGuard guard = new SlowRequestGuard(l.requestHeaderTimeoutNanos(), ctx.metrics());
    ch.pipeline()
        .addLast("slow-guard", guard)
        .addLast(
            "http",
            new HttpServerCodec(l.maxInitialLineBytes(), l.maxHeaderBytes(), l.maxChunkBytes()))
        .addLast("keep-alive", new HttpServerKeepAliveHandler())
        .addLast("exchange", new HttpDownstreamHandler(starter, false, guard, ctx.metrics()));
  }

  /** Makes {@code ch} an HTTP/2 server connection; each stream gets its own exchange handler. */
  static void h2(Channel ch, HttpDownstreamHandler.Starter starter, ProxyContext ctx) {
    ProxyLimits l = ctx.limits();
    ChannelPipeline p = ch.pipeline();
    // Streams answered from other channels flush one by one; consolidate to one flush per turn.
    p.addLast("flush-consolidation", new FlushConsolidationHandler(256, true));
    p.addLast(
        "h2",
        Http2FrameCodecBuilder.forServer()
            .initialSettings(
                Http2Settings.defaultSettings()
                    .maxConcurrentStreams(l.maxConcurrentStreams())
                    .maxHeaderListSize(l.maxHeaderBytes())
                    .initialWindowSize(1 << 20))
            .gracefulShutdownTimeoutMillis(30_000)
            .build());
    p.addLast(
        "h2-mux",
        new Http2MultiplexHandler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel s) {
                s.pipeline()
                    .addLast(SERVER_CODEC)
                    .addLast(new HttpDownstreamHandler(starter, true, null, ctx.metrics()));
              }
            }));
    p.addLast("idle-closer", IDLE_CLOSER);
  }

  /** Sniffs cleartext: the HTTP/2 connection preface selects h2c, anything else HTTP/1.1. */
  static ChannelHandler sniffer(HttpDownstreamHandler.Starter starter, ProxyContext ctx) {
    return new ByteToMessageDecoder() {
      @Override
      protected void decode(ChannelHandlerContext c, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefixMatches =
            ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
        if (prefixMatches && n < PREFACE.readableBytes()) {
          return; // Could still be the preface: wait for more bytes.
        }
        if (prefixMatches) {
          h2(c.channel(), starter, ctx);
        } else {
          h1(c.channel(), starter, ctx);
        }
        c.pipeline().remove(this);
      }
    };
  }

  /** Closes an HTTP/2 connection that has been idle for the idle timeout. */
  @ChannelHandler.Sharable
  private static final class IdleCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
