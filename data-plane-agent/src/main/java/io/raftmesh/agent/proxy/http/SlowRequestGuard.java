package io.raftmesh.agent.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftmesh.agent.proxy.metrics.ProxyMetrics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Slowloris protection for HTTP/1.1 connections: once a connection opens, or sends the first byte
 * of a new request, it has a fixed time to complete the request head; otherwise it gets 408 and is
 * closed. Sits before the HTTP codec; the downstream handler tells it when a head arrived and when
 * the connection waits for the next one.
 */
// The 408 write and the close are best-effort on a connection being dropped.
@SuppressWarnings("FutureReturnValueIgnored")
final class SlowRequestGuard extends ChannelInboundHandlerAdapter {
  private static final byte[] TIMEOUT_RESPONSE =
      ("HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n"
              + "x-raftmesh-error: request-header-timeout\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final long timeoutNanos;
  private final ProxyMetrics metrics;
  private @Nullable ChannelHandlerContext ctx;
  private boolean awaitingHead = true;
  private boolean headStarted = true; // The connection itself starts the first deadline.
  private long deadlineNanos;
  private @Nullable ScheduledFuture<?> timer;

  SlowRequestGuard(long timeoutNanos, ProxyMetrics metrics) {
    this.timeoutNanos = timeoutNanos;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    this.ctx = c;
    deadlineNanos = System.nanoTime() + timeoutNanos;
    timer = c.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    if (awaitingHead && !headStarted) {
      // First bytes of the next request: its deadline starts now. The one timer of the
      // connection re-arms itself when it fires, so requests schedule nothing.
      headStarted = true;
      deadlineNanos = System.nanoTime() + timeoutNanos;
    }
    c.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    c.fireChannelInactive();
  }

  /** A complete request head arrived. */
  void headReceived() {
    awaitingHead = false;
    headStarted = false;
  }

  /** The previous exchange ended; the next request's first byte starts its deadline. */
  void awaitNext() {
    awaitingHead = true;
    headStarted = false;
  }

  private void expire() {
    timer = null;
    ChannelHandlerContext c = ctx;
    if (c == null || !c.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    if (awaitingHead && headStarted && now - deadlineNanos >= 0) {
      metrics.rejected("request-header-timeout");
      c.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    long next = awaitingHead && headStarted ? deadlineNanos - now : timeoutNanos;
    timer = c.executor().schedule(this::expire, Math.max(next, 1), TimeUnit.NANOSECONDS);
  }
}
