package io.raftmesh.agent.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Copies bytes from its channel to a peer channel, flushing once per read batch, and pausing reads
 * while the peer cannot take more (so memory stays bounded whatever the speeds). When either side
 * closes, the other is closed after pending bytes are flushed.
 */
// Writes are not awaited: a failed write closes the peer, which ends the relay.
@SuppressWarnings("FutureReturnValueIgnored")
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private final Channel peer;
  private final TcpSession session;
  private final boolean fromClient;

  RelayHandler(Channel peer, TcpSession session, boolean fromClient) {
    this.peer = peer;
    this.session = session;
    this.fromClient = fromClient;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    session.count(fromClient, ((ByteBuf) msg).readableBytes());
    peer.write(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.closed();
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    session.failed(cause);
    ctx.close();
  }
}
