package io.raftmesh.agent.proxy.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A cleartext HTTP/2 (prior knowledge) server and client for tests, on Netty. */
public final class H2c {
  private H2c() {}

  /** An h2c server answering "h2 METHOD PATH BODY" with a trailer, recording the last request. */
  public static final class Server implements AutoCloseable {
    private final EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final AtomicReference<HttpHeaders> last = new AtomicReference<>();

    /** Starts on an ephemeral loopback port. */
    public Server() throws InterruptedException {
      channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forServer().build())
                          .addLast(
                              new Http2MultiplexHandler(
                                  new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel s) {
                                      s.pipeline()
                                          .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                          .addLast(new HttpObjectAggregator(1 << 20))
                                          .addLast(new Responder());
                                    }
                                  }));
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
    }

    /** Where it listens. */
    public InetSocketAddress address() {
      return (InetSocketAddress) channel.localAddress();
    }

    /** The last request's headers (a copy). */
    public HttpHeaders lastHeaders() {
      return last.get();
    }

    @Override
    public void close() {
      channel.close().awaitUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
      @Override
      @SuppressWarnings("FutureReturnValueIgnored") // A failed test response shows in the test.
      protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        last.set(new DefaultHttpHeaders().set(req.headers()));
        String body =
            "h2 "
                + req.method()
                + " "
                + req.uri()
                + " "
                + req.content().toString(StandardCharsets.UTF_8);
        FullHttpResponse res =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.trailingHeaders().set("x-trailer", "done");
        ctx.writeAndFlush(res);
      }
    }
  }

  /** An h2c client with one connection. */
  public static final class Client implements AutoCloseable {
    private final EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    /** Connects to {@code address}. */
    public Client(InetSocketAddress address) throws InterruptedException {
      channel =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forClient().build())
                          .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                  })
              .connect(address)
              .sync()
              .channel();
    }

    /** Sends a request to {@code authority} and waits for the aggregated response. */
    public FullHttpResponse send(String authority, HttpMethod method, String path, String body)
        throws Exception {
      CompletableFuture<FullHttpResponse> done = new CompletableFuture<>();
      Http2StreamChannel s =
          new Http2StreamChannelBootstrap(channel)
              .handler(
                  new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                      ch.pipeline()
                          .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                          .addLast(new HttpObjectAggregator(1 << 20))
                          .addLast(
                              new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(
                                    ChannelHandlerContext c, FullHttpResponse r) {
                                  done.complete(r.copy());
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext c) {
                                  done.completeExceptionally(
                                      new IllegalStateException("stream closed"));
                                }
                              });
                    }
                  })
              .open()
              .sync()
              .getNow();
      DefaultFullHttpRequest req =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1,
              method,
              path,
              Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      req.headers().set(HttpHeaderNames.HOST, authority);
      req.headers().set("x-http2-scheme", "http");
      s.writeAndFlush(req).sync();
      return done.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      channel.close().awaitUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
