package io.raftmesh.chaos.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.UnixDomainSocketAddress;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridged connection: the accepted (frontend) channel, the channel to the target (backend), and
 * a {@link LinkPump} per direction. All state is confined to the frontend's event loop, which the
 * backend shares; other threads only post tasks to it.
 */
final class BridgeConnection {
  private static final Logger log = LoggerFactory.getLogger(BridgeConnection.class);

  private final FaultBridge bridge;
  private final Channel frontend;
  private final SplittableRandom random;
  private final LinkPump up;
  private final LinkPump down;
  private @Nullable Channel backend;
  private boolean connecting;
  private boolean lostBytes;
  private boolean closed;

  BridgeConnection(FaultBridge bridge, Channel frontend, SplittableRandom random) {
    this.bridge = bridge;
    this.frontend = frontend;
    this.random = random;
    this.up = new LinkPump(this, frontend);
    this.down = new LinkPump(this, null);
  }

  /** Called on the event loop when the frontend is accepted. */
  void start(LinkFaults faults) {
    frontend.pipeline().addLast(new ForwardingHandler(up, down));
    down.sinkReady(frontend);
    if (faults.data() == LinkFaults.Data.FORWARD) {
      connect();
    }
    up.kick();
  }

  FaultBridge bridge() {
    return bridge;
  }

  SplittableRandom random() {
    return random;
  }

  void lostBytes(int n) {
    lostBytes = true;
    bridge.discarded.addAndGet(n);
  }

  private void connect() {
    connecting = true;
    boolean unix = bridge.target() instanceof UnixDomainSocketAddress;
    Bootstrap b =
        new Bootstrap()
            .group(frontend.eventLoop())
            .channel(unix ? NioDomainSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .handler(new ForwardingHandler(down, up));
    ChannelFuture f = b.connect(bridge.target());
    f.addListener(
        done -> {
          if (!done.isSuccess() || closed) {
            log.debug("bridge={} connect to target failed", bridge.name(), done.cause());
            closeQuietly(f.channel());
            close();
            return;
          }
          backend = f.channel();
          down.source(backend);
          up.sinkReady(backend);
          up.kick();
          down.kick();
        });
  }

  /** Posts a reaction to changed faults onto the event loop. */
  void faultsChanged(LinkFaults old, LinkFaults now) {
    frontend
        .eventLoop()
        .execute(
            () -> {
              if (closed) {
                return;
              }
              boolean blackholeEnded =
                  old.data() == LinkFaults.Data.BLACKHOLE
                      && now.data() != LinkFaults.Data.BLACKHOLE;
              if (blackholeEnded && lostBytes) {
                resetNow(); // a stream with a hole in it must not reach either side
                return;
              }
              if (backend == null && !connecting && now.data() == LinkFaults.Data.FORWARD) {
                connect();
              }
              up.kick();
              down.kick();
            });
  }

  /** Resets both sides (TCP RST where the transport allows). */
  void reset() {
    frontend.eventLoop().execute(this::resetNow);
  }

  private void resetNow() {
    if (closed) {
      return;
    }
    bridge.reset.incrementAndGet();
    log.debug("bridge={} reset connection={}", bridge.name(), frontend.remoteAddress());
    abort(frontend);
    if (backend != null) {
      abort(backend);
    }
    close();
  }

  /** Closes both sides and drops queued bytes. */
  void close() {
    if (!frontend.eventLoop().inEventLoop()) {
      frontend.eventLoop().execute(this::close);
      return;
    }
    if (closed) {
      return;
    }
    closed = true;
    up.releaseAll();
    down.releaseAll();
    closeQuietly(frontend);
    if (backend != null) {
      closeQuietly(backend);
    }
  }

  boolean isClosed() {
    return closed;
  }

  void forwarded(ByteBuf buf) {
    bridge.forwarded.addAndGet(buf.readableBytes());
  }

  /** Closes a channel with SO_LINGER 0, so the peer sees a reset rather than an orderly close. */
  static void abort(Channel ch) {
    if (ch instanceof SocketChannel && ch.isOpen()) {
      try {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (RuntimeException e) {
        log.debug("cannot set SO_LINGER on {}", ch, e);
      }
    }
    closeQuietly(ch);
  }

  /** Closes a channel; a failure to close is only worth a debug line. */
  static void closeQuietly(Channel ch) {
    ch.close()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.debug("cannot close {}", ch, f.cause());
              }
            });
  }
}
