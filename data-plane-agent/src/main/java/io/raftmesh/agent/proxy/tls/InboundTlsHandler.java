package io.raftmesh.agent.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of an inbound listener's connection: tells a TLS ClientHello from plaintext by the
 * first byte, runs the mutual-TLS handshake, records the client's SPIFFE ID in {@link #PEER_ID},
 * and hands the connection to the protocol stage. Plaintext is accepted only while the mesh is in
 * permissive mode (read per connection, so a mode change applies to new connections); otherwise the
 * connection is closed.
 */
// Close futures on refused connections are not awaited.
@SuppressWarnings("FutureReturnValueIgnored")
public final class InboundTlsHandler extends ByteToMessageDecoder {
  /** The caller's SPIFFE ID on an inbound connection; absent for plaintext callers. */
  public static final AttributeKey<String> PEER_ID = AttributeKey.valueOf("raftmesh.peer-id");

  private static final Logger LOG = LoggerFactory.getLogger(InboundTlsHandler.class);
  private static final int TLS_HANDSHAKE_RECORD = 0x16;

  private final SslContext ssl;
  private final long handshakeTimeoutNanos;
  private final BooleanSupplier permissive;
  private final Stage next;
  private final Runnable onRefused;

  /** What runs once the connection is authenticated (or accepted as plaintext). */
  public interface Stage {
    /**
     * Configures the pipeline of {@code channel} for its protocol.
     *
     * @param alpn the negotiated application protocol, or null (none, or plaintext)
     */
    void secured(Channel channel, @Nullable String alpn);
  }

  /**
   * A handler for one connection.
   *
   * @param ssl the local service's server context
   * @param handshakeTimeoutNanos handshake deadline
   * @param permissive whether plaintext callers are accepted now
   * @param next the protocol stage
   * @param onRefused counts refused connections (plaintext in strict mode, failed handshakes)
   */
  public InboundTlsHandler(
      SslContext ssl,
      long handshakeTimeoutNanos,
      BooleanSupplier permissive,
      Stage next,
      Runnable onRefused) {
    this.ssl = ssl;
    this.handshakeTimeoutNanos = handshakeTimeoutNanos;
    this.permissive = permissive;
    this.next = next;
    this.onRefused = onRefused;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    Channel ch = ctx.channel();
    if (in.getUnsignedByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
      SslHandler tls = ssl.newHandler(ctx.alloc());
      tls.setHandshakeTimeout(handshakeTimeoutNanos, TimeUnit.NANOSECONDS);
      ctx.pipeline().addAfter(ctx.name(), "tls", tls);
      ctx.pipeline().addAfter("tls", "tls-done", new HandshakeWaiter(tls));
    } else if (permissive.getAsBoolean()) {
      next.secured(ch, null);
    } else {
      LOG.debug("plaintext connection refused (strict mTLS) remote={}", ch.remoteAddress());
      onRefused.run();
      in.skipBytes(in.readableBytes());
      ctx.close();
      return;
    }
    ctx.pipeline().remove(this); // Hands the buffered bytes to the next handler.
  }

  /** Waits for the handshake, then records the peer and installs the protocol stage. */
  private final class HandshakeWaiter extends ChannelInboundHandlerAdapter {
    private final SslHandler tls;

    HandshakeWaiter(SslHandler tls) {
      this.tls = tls;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent) {
        SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
        if (!e.isSuccess()) {
          LOG.debug(
              "inbound TLS handshake failed remote={} cause={}",
              ctx.channel().remoteAddress(),
              String.valueOf(e.cause()));
          onRefused.run();
          ctx.close();
          return;
        }
        String peer = PeerIdentity.spiffeId(tls.engine().getSession());
        if (peer != null) {
          ctx.channel().attr(PEER_ID).set(peer);
        }
        ctx.pipeline().remove(this);
        next.secured(ctx.channel(), tls.applicationProtocol());
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Handshake failures also arrive as the completion event above; this only closes.
      LOG.debug(
          "inbound TLS error remote={} cause={}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
