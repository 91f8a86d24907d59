package io.raftmesh.agent.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Holds bytes a client sent before the upstream connection was ready (decrypted right after the
 * handshake, or the plaintext that identified the protocol), then hands them over in order. Reads
 * are paused meanwhile, so at most one read's worth waits here.
 */
// The drained writes are relayed like any other; their failures close the channel.
@SuppressWarnings("FutureReturnValueIgnored")
final class EarlyDataBuffer extends ChannelInboundHandlerAdapter {
  private final ArrayDeque<Object> held = new ArrayDeque<>(2);
  private @Nullable ChannelHandlerContext ctx;

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    ctx = c;
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    held.add(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    while (!held.isEmpty()) {
      ReferenceCountUtil.release(held.poll());
    }
    c.fireChannelInactive();
  }

  /** Writes what it holds to {@code peer}, counts it, and leaves the pipeline. */
  void drainTo(Channel peer, TcpSession session) {
    while (!held.isEmpty()) {
      Object msg = held.poll();
      if (msg instanceof ByteBuf) {
        session.count(true, ((ByteBuf) msg).readableBytes());
      }
      peer.write(msg);
    }
    peer.flush();
    ChannelHandlerContext c = ctx;
    if (c != null) {
      c.pipeline().remove(this);
    }
  }
}
