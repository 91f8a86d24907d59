package io.raftmesh.agent.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * Last handler of an upstream stream or pooled connection: hands response objects to the bound
 * listener, or drops them when none is bound (a late answer to an abandoned attempt).
 */
@SuppressWarnings("FutureReturnValueIgnored") // close failures end in channelInactive anyway
class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
  private @Nullable ResponseListener listener;

  UpstreamResponseHandler(@Nullable ResponseListener listener) {
    this.listener = listener;
  }

  void bind(@Nullable ResponseListener next) {
    this.listener = next;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ResponseListener l = listener;
    if (l != null && msg instanceof HttpObject) {
      l.onResponseObject((HttpObject) msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ResponseListener l = listener;
    if (l != null) {
      l.onResponseReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ResponseListener l = listener;
    if (l != null) {
      l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ResponseListener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ResponseListener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed(cause);
    }
    ctx.close();
  }
}
