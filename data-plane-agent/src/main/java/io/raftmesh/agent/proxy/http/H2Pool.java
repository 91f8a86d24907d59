package io.raftmesh.agent.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.raftmesh.agent.proxy.core.ProxyContext;
import io.raftmesh.agent.proxy.resilience.CircuitBreaker;
import io.raftmesh.agent.proxy.tls.PeerIdentity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 connections from one event loop to one upstream: a peer proxy's inbound listener over
 * mutual TLS (with the peer's SPIFFE ID checked against the expected service), or a local
 * application over cleartext HTTP/2. Each request is a stream; a connection carries up to the
 * peer's (and our) stream limit, and more connections open when all are full, within the
 * destination's connection limit. Requests that must wait for a connection count against the
 * pending limit. Used only from its event loop.
 */
// Netty write/close futures are not awaited: failures reach the pipeline as channelInactive or
// exceptionCaught, where connections and streams clean up.
@SuppressWarnings("FutureReturnValueIgnored")
final class H2Pool implements StreamSource {
  private static final Logger LOG = LoggerFactory.getLogger(H2Pool.class);
  private static final Http2StreamFrameToHttpObjectCodec CLIENT_CODEC =
      new Http2StreamFrameToHttpObjectCodec(false, false);
  private static final int WINDOW = 1 << 20;

  private final ProxyContext ctx;
  private final EventLoop loop;
  private final String address;
  private final int port;
  private final @Nullable SslContext ssl;
  private final @Nullable String expectedPeer;
  private final @Nullable CircuitBreaker breaker;
  private final Settings settings;
  private final ArrayList<Connection> ready = new ArrayList<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int connecting;
  private boolean closed;

  /** Connection parameters read at each connect, so reloads apply to new connections. */
  interface Settings {
    /** Connect and TLS handshake timeout. */
    long connectTimeoutNanos();

    /** Idle connections close after this. */
    long idleTimeoutNanos();

    /** Called on each failed connection (metrics, outlier detection happens per request). */
    void connectFailed();
  }

  H2Pool(
      ProxyContext ctx,
      EventLoop loop,
      String address,
      int port,
      @Nullable SslContext ssl,
      @Nullable String expectedPeer,
      @Nullable CircuitBreaker breaker,
      Settings settings) {
    this.ctx = ctx;
    this.loop = loop;
    this.address = address;
    this.port = port;
    this.ssl = ssl;
    this.expectedPeer = expectedPeer;
    this.breaker = breaker;
    this.settings = settings;
  }

  /** Opens a stream for {@code listener} (its onAcquired or onAcquireFailed is called). */
  @Override
  public void acquire(ResponseListener listener) {
    if (closed) {
      listener.onAcquireFailed(ResponseListener.AcquireFailure.CONNECT, describe("pool closed"));
      return;
    }
    Connection c = pickReady();
    if (c != null) {
      c.openStream(listener);
      return;
    }
    boolean counted = false;
    if (breaker != null) {
      if (breaker.tryAcquirePending() != null) {
        listener.onAcquireFailed(
            ResponseListener.AcquireFailure.MAX_PENDING, CircuitBreaker.MAX_PENDING);
        return;
      }
      counted = true;
    }
    waiters.addLast(new Waiter(listener, counted));
    if (connecting == 0 || waiters.size() > connecting * ctx.limits().maxConcurrentStreams()) {
      connect();
    }
  }

  /** Stops new streams; open connections finish their streams (GOAWAY) and close. */
  @Override
  public void close() {
    closed = true;
    for (Connection c : new ArrayList<>(ready)) {
      c.channel.close();
    }
    failWaiters(ResponseListener.AcquireFailure.CONNECT, describe("pool closed"));
  }

  private @Nullable Connection pickReady() {
    for (int i = 0; i < ready.size(); i++) {
      Connection c = ready.get(i);
      if (!c.goingAway && c.active < c.maxStreams && c.channel.isActive()) {
        return c;
      }
    }
    return null;
  }

  private void connect() {
    if (breaker != null && breaker.tryAcquireConnection() != null) {
      if (ready.isEmpty() && connecting == 0) {
        failWaiters(
            ResponseListener.AcquireFailure.MAX_CONNECTIONS, CircuitBreaker.MAX_CONNECTIONS);
      }
      return; // Waiters are served as streams on the existing connections end.
    }
    connecting++;
    long timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(settings.connectTimeoutNanos()));
    long idleNanos = settings.idleTimeoutNanos();
    Connection conn = new Connection();
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(ctx.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      SslHandler h = ssl.newHandler(ch.alloc(), address, port);
                      h.setHandshakeTimeoutMillis(timeoutMillis);
                      p.addLast(h);
                    }
                    // Many requests share this connection: one flush (one TLS record, one
                    // syscall) per event-loop turn instead of one per request.
                    p.addLast(new FlushConsolidationHandler(256, true));
                    p.addLast(new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
                    p.addLast(
                        Http2FrameCodecBuilder.forClient()
                            .initialSettings(
                                Http2Settings.defaultSettings()
                                    .initialWindowSize(WINDOW)
                                    .maxHeaderListSize(ctx.limits().maxHeaderBytes())
                                    .pushEnabled(false))
                            .gracefulShutdownTimeoutMillis(30_000)
                            .build());
                    p.addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    p.addLast(conn);
                  }
                });
    Channel ch = b.connect(address, port).channel();
    conn.channel = ch;
    if (breaker != null) {
      CircuitBreaker br = breaker;
      ch.closeFuture().addListener(f -> br.releaseConnection());
    }
  }

  private void onReady(Connection c) {
    connecting--;
    if (closed) {
      c.channel.close();
      return;
    }
    ready.add(c);
    serveWaiters();
  }

  private void onConnectFailed(String detail) {
    connecting--;
    settings.connectFailed();
    LOG.debug("upstream connect failed {}", detail);
    serveWaiters();
    if (connecting == 0) {
      failWaiters(ResponseListener.AcquireFailure.CONNECT, detail);
    }
  }

  private void onClosed(Connection c) {
    ready.remove(c);
    if (!waiters.isEmpty() && connecting == 0 && !closed) {
      connect();
    }
  }

  private void serveWaiters() {
    while (!waiters.isEmpty()) {
      Connection c = pickReady();
      if (c == null) {
        return;
      }
      Waiter w = waiters.pollFirst();
      if (w.counted && breaker != null) {
        breaker.releasePending();
      }
      c.openStream(w.listener);
    }
  }

  private void failWaiters(ResponseListener.AcquireFailure failure, String detail) {
    while (!waiters.isEmpty()) {
      Waiter w = waiters.pollFirst();
      if (w.counted && breaker != null) {
        breaker.releasePending();
      }
      w.listener.onAcquireFailed(failure, detail);
    }
  }

  private String describe(String reason) {
    return (ssl != null ? "h2+mtls" : "h2c") + ", proxy => " + address + ":" + port + ", " + reason;
  }

  private record Waiter(ResponseListener listener, boolean counted) {}

  /** One HTTP/2 connection; the last handler of its pipeline. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    @SuppressWarnings("NullAway.Init") // set right after construction, before any callback
    Channel channel;

    int active;
    int maxStreams = ctx.limits().maxConcurrentStreams();
    boolean goingAway;
    private boolean isReady;
    private @Nullable String failure;

    @Override
    public void channelActive(ChannelHandlerContext c) {
      if (ssl == null) {
        markReady();
      }
      c.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent) {
        SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
        if (!e.isSuccess()) {
          failure = describe("TLS handshake failed: " + e.cause());
          c.close();
          return;
        }
        SslHandler h = Objects.requireNonNull(c.pipeline().get(SslHandler.class));
        String alpn = h.applicationProtocol();
        if (!ApplicationProtocolNames.HTTP_2.equals(alpn)) {
          failure = describe("ALPN: " + alpn + " (expected: h2)");
          c.close();
          return;
        }
        String peer = PeerIdentity.spiffeId(h.engine().getSession());
        if (expectedPeer != null && !expectedPeer.equals(peer)) {
          failure = describe("server identity: " + peer + " (expected: " + expectedPeer + ")");
          LOG.warn("upstream identity mismatch {}", failure);
          c.close();
          return;
        }
        markReady();
      } else if (evt instanceof IdleStateEvent && active == 0) {
        c.close();
        return;
      }
      c.fireUserEventTriggered(evt);
    }

    private void markReady() {
      if (!isReady) {
        isReady = true;
        onReady(this);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame) {
          Long max = ((Http2SettingsFrame) msg).settings().maxConcurrentStreams();
          if (max != null) {
            maxStreams = (int) Math.min(ctx.limits().maxConcurrentStreams(), max);
          }
        } else if (msg instanceof Http2GoAwayFrame) {
          goingAway = true;
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
      if (isReady) {
        onClosed(this);
      } else {
        isReady = true; // Never report twice.
        onConnectFailed(failure != null ? failure : describe("connection closed before ready"));
      }
      c.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
      if (failure == null) {
        failure = describe(String.valueOf(cause));
      }
      LOG.debug("upstream connection error {}", failure);
      c.close();
    }

    void openStream(ResponseListener listener) {
      active++;
      new Http2StreamChannelBootstrap(channel)
          .handler(
              new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel ch) {
                  ch.pipeline().addLast(CLIENT_CODEC, new UpstreamResponseHandler(listener));
                }
              })
          .open()
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  Http2StreamChannel s = (Http2StreamChannel) f.getNow();
                  s.closeFuture()
                      .addListener(
                          x -> {
                            active--;
                            serveWaiters();
                          });
                  listener.onAcquired(new StreamLease(s));
                } else {
                  active--;
                  listener.onAcquireFailed(
                      ResponseListener.AcquireFailure.CONNECT,
                      describe("stream open failed: " + f.cause()));
                }
              });
    }
  }

  /** A stream; it ends by itself when both sides finish, or is reset on release. */
  private record StreamLease(Http2StreamChannel channel) implements UpstreamLease {
    @Override
    public void release(boolean reusable) {
      if (!reusable && channel.isActive()) {
        channel.close();
      }
    }
  }
}
