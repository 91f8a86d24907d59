package io.raftmesh.agent.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.raftmesh.agent.proxy.metrics.ProxyMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a downstream HTTP/1.1 connection or HTTP/2 stream: turns each request into an
 * {@link Exchange}, feeds it the body, and answers malformed or oversized requests itself. On
 * HTTP/1.1 one exchange runs at a time; pipelined requests wait (with reading paused).
 */
// Netty write/close futures are not awaited: failures end in channelInactive.
@SuppressWarnings("FutureReturnValueIgnored")
final class HttpDownstreamHandler extends ChannelInboundHandlerAdapter
    implements Exchange.Downstream {
  private static final Logger LOG = LoggerFactory.getLogger(HttpDownstreamHandler.class);

  /** Creates the exchange for a request head (already started, possibly already answered). */
  interface Starter {
    Exchange start(Exchange.Downstream downstream, HttpRequest head, boolean bodyless);
  }

  private final Starter starter;
  private final boolean h2;
  private final @Nullable SlowRequestGuard guard;
  private final ProxyMetrics metrics;
  private @Nullable Channel channel;
  private @Nullable Exchange current;
  private @Nullable ArrayDeque<Object> queued;
  private boolean dropNextLast;

  HttpDownstreamHandler(
      Starter starter, boolean h2, @Nullable SlowRequestGuard guard, ProxyMetrics metrics) {
    this.starter = starter;
    this.h2 = h2;
    this.guard = guard;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public Channel channel() {
    return java.util.Objects.requireNonNull(channel, "channel");
  }

  @Override
  public boolean isH2() {
    return h2;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (dropNextLast && msg instanceof LastHttpContent && !(msg instanceof HttpRequest)) {
      // The empty end of a request already sent upstream as bodyless.
      dropNextLast = false;
      ReferenceCountUtil.release(msg);
      return;
    }
    Exchange e = current;
    if (e != null && !e.isFinished()) {
      if (!e.requestComplete() && msg instanceof HttpContent && !(msg instanceof HttpRequest)) {
        HttpContent c = (HttpContent) msg;
        if (c.decoderResult().isFailure()) {
          c.release();
          metrics.rejected("malformed-body");
          e.onDownstreamClosed();
          ctx.close();
          return;
        }
        e.onRequestContent(c);
        return;
      }
      ArrayDeque<Object> q = queued;
      if (q == null) {
        q = new ArrayDeque<>(4);
        queued = q;
      }
      q.add(msg); // A pipelined request: wait for the current exchange.
      ctx.channel().config().setAutoRead(false);
      return;
    }
    handleIdle(ctx, msg);
  }

  private void handleIdle(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpRequest)) {
      ReferenceCountUtil.release(msg); // The rest of a body the proxy already answered.
      return;
    }
    HttpRequest req = (HttpRequest) msg;
    DecoderResult result = req.decoderResult();
    if (result.isFailure()) {
      reject(ctx, req, result.cause());
      return;
    }
    if (guard != null) {
      guard.headReceived();
    }
    HttpRequest head = req;
    HttpContent body = null;
    boolean bodyless;
    if (req instanceof FullHttpRequest) {
      FullHttpRequest full = (FullHttpRequest) req;
      head =
          new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      ByteBuf content = full.content();
      bodyless = !content.isReadable() && full.trailingHeaders().isEmpty();
      if (bodyless) {
        content.release();
      } else {
        DefaultLastHttpContent last = new DefaultLastHttpContent(content);
        last.trailingHeaders().set(full.trailingHeaders());
        body = last;
      }
    } else {
      bodyless =
          !h2
              && !HttpUtil.isTransferEncodingChunked(req)
              && HttpUtil.getContentLength(req, 0L) == 0;
      dropNextLast = bodyless;
    }
    Exchange e = starter.start(this, head, bodyless);
    current = e;
    if (body != null) {
      if (e.isFinished()) {
        body.release();
      } else {
        e.onRequestContent(body);
        e.flushUpstream();
      }
    }
  }

  private void reject(ChannelHandlerContext ctx, HttpRequest req, Throwable cause) {
    ReferenceCountUtil.release(req);
    HttpResponseStatus status;
    String reason;
    if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      reason = "request-line-too-long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      reason = "headers-too-large";
    } else if (cause instanceof TooLongFrameException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      reason = "headers-too-large";
    } else {
      status = HttpResponseStatus.BAD_REQUEST;
      reason = "malformed-request";
    }
    metrics.rejected(reason);
    LOG.debug(
        "rejected request remote={} reason={} cause={}",
        ctx.channel().remoteAddress(),
        reason,
        cause.toString());
    byte[] body = (status.reasonPhrase() + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, ctx.alloc().buffer(body.length).writeBytes(body));
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HeaderRules.ERROR, reason)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exchangeDone(Exchange e) {
    if (current == e) {
      current = null;
    }
    if (h2) {
      return;
    }
    if (guard != null) {
      guard.awaitNext();
    }
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    ChannelHandlerContext ctx = ch.pipeline().context(this);
    ArrayDeque<Object> q = queued;
    while (ctx != null && q != null && !q.isEmpty() && (current == null || current.isFinished())) {
      channelRead(ctx, q.poll());
    }
    if (q == null || q.isEmpty()) {
      ch.config().setAutoRead(true);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange e = current;
    if (e != null && !e.isFinished()) {
      e.flushUpstream();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange e = current;
    if (e != null && !e.isFinished()) {
      e.onDownstreamWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange e = current;
    current = null;
    if (e != null && !e.isFinished()) {
      e.onDownstreamClosed();
    }
    ArrayDeque<Object> q = queued;
    if (q != null) {
      while (!q.isEmpty()) {
        ReferenceCountUtil.release(q.poll());
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug(
        "downstream error remote={} cause={}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
