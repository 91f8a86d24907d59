package io.raftmesh.agent.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.raftmesh.agent.proxy.core.ProxyContext;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections from one event loop to one local application. Used only from that
 * event loop, so it needs no locks. Idle connections are reused last-in first-out (the warmest
 * socket) and close after the idle timeout.
 */
// Netty write/close futures are not awaited: their failures reach the pipeline as channelInactive
// or exceptionCaught, which is where leases and exchanges clean up.
@SuppressWarnings("FutureReturnValueIgnored")
final class H1Pool implements StreamSource {
  private static final int MAX_IDLE = 64;
  private static final long CONNECT_TIMEOUT_MILLIS = 1000;
  private static final long IDLE_SECONDS = 60;

  private final ProxyContext ctx;
  private final EventLoop loop;
  private final InetSocketAddress app;
  private final ArrayDeque<H1Connection> idle = new ArrayDeque<>();
  private boolean closed;

  H1Pool(ProxyContext ctx, EventLoop loop, InetSocketAddress app) {
    this.ctx = ctx;
    this.loop = loop;
    this.app = app;
  }

  /** Lends a connection to {@code listener} (its onAcquired or onAcquireFailed is called). */
  @Override
  public void acquire(ResponseListener listener) {
    while (!idle.isEmpty()) {
      H1Connection c = idle.pollLast();
      if (c.channel.isActive()) {
        c.bind(listener);
        listener.onAcquired(c);
        return;
      }
    }
    H1Connection conn = new H1Connection();
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(ctx.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MILLIS)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(new HttpClientCodec(8192, 65536, 16384, false))
                        .addLast(conn);
                  }
                });
    ChannelFuture f = b.connect(app);
    conn.channel = f.channel();
    f.addListener(
        future -> {
          if (future.isSuccess()) {
            conn.bind(listener);
            listener.onAcquired(conn);
          } else {
            listener.onAcquireFailed(
                ResponseListener.AcquireFailure.CONNECT,
                "http, proxy => " + app + ", " + future.cause());
          }
        });
  }

  /** Closes idle connections; leased ones close when released. */
  @Override
  public void close() {
    closed = true;
    while (!idle.isEmpty()) {
      idle.poll().channel.close();
    }
  }

  /** One pooled connection; it is its own lease and its pipeline's last handler. */
  private final class H1Connection extends UpstreamResponseHandler implements UpstreamLease {
    @SuppressWarnings("NullAway.Init") // set right after construction, before any use
    private Channel channel;

    H1Connection() {
      super(null);
    }

    @Override
    public Channel channel() {
      return channel;
    }

    @Override
    public void release(boolean reusable) {
      bind(null);
      if (reusable && !closed && channel.isActive() && idle.size() < MAX_IDLE) {
        idle.addLast(this);
      } else {
        channel.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      idle.remove(this);
      super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent && idle.contains(this)) {
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
