package io.raftmesh.chaos.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on one side of a bridged connection: bytes read go to the pump that reads this side, and a
 * writability change wakes the pump that writes to it.
 */
final class ForwardingHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ForwardingHandler.class);

  private final LinkPump reads;
  private final LinkPump writes;

  ForwardingHandler(LinkPump reads, LinkPump writes) {
    this.reads = reads;
    this.writes = writes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reads.onRead((ByteBuf) msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    reads.sourceEnded();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    writes.kick();
    reads.kick();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("bridge channel={} failed", ctx.channel(), cause);
    BridgeConnection.closeQuietly(ctx.channel());
  }
}
