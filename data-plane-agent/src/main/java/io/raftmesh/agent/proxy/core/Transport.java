package io.raftmesh.agent.proxy.core;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;

/**
 * The proxy's event loops and socket types: native epoll when it loads, NIO otherwise. Every
 * connection of one request's path (downstream, upstream) lives on one event loop, so a request
 * never changes threads.
 */
public final class Transport implements AutoCloseable {
  private final EventLoopGroup group;
  private final Class<? extends ServerChannel> serverChannel;
  private final Class<? extends Channel> socketChannel;
  private final boolean epoll;

  private Transport(int threads, boolean useEpoll) {
    IoHandlerFactory io = useEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group =
        new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("raftmesh-proxy"), io);
    this.serverChannel = useEpoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.socketChannel = useEpoll ? EpollSocketChannel.class : NioSocketChannel.class;
    this.epoll = useEpoll;
  }

  /**
   * A transport with {@code threads} event loops, on epoll when {@code preferEpoll} and available.
   */
  public static Transport create(int threads, boolean preferEpoll) {
    return new Transport(threads, preferEpoll && Epoll.isAvailable());
  }

  /** The event loops. */
  public EventLoopGroup group() {
    return group;
  }

  /** The listening socket type. */
  public Class<? extends ServerChannel> serverChannel() {
    return serverChannel;
  }

  /** The connecting socket type. */
  public Class<? extends Channel> socketChannel() {
    return socketChannel;
  }

  /** "epoll" or "nio". */
  public String name() {
    return epoll ? "epoll" : "nio";
  }

  /** Shuts the event loops down, closing every channel. */
  public Future<?> shutdown() {
    return group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    shutdown().awaitUninterruptibly();
  }
}
