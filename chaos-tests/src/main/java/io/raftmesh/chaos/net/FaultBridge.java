package io.raftmesh.chaos.net;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault-injecting TCP bridge: it listens on one address and forwards every connection to a
 * target, applying {@link LinkFaults} that can change at any time (etcd's {@code bridge.go} and
 * robustness proxy, rebuilt on Netty because this kernel has no {@code tc netem}).
 *
 * <p>Listen and target addresses are TCP ({@link InetSocketAddress}) or Unix domain sockets ({@link
 * UnixDomainSocketAddress}), so a bridge can also carry a connection into a network namespace
 * through a socket file. Bytes keep their order per direction under every fault.
 *
 * <pre>{@code
 * try (FaultBridge b = FaultBridge.start("n1-client",
 *     new InetSocketAddress("127.0.0.1", 0), serverAddress)) {
 *   connect(b.localAddress());
 *   b.setFaults(LinkFaults.delay(Duration.ofMillis(75), Duration.ofMillis(50)));
 *   b.resetAll();
 * }
 * }</pre>
 */
public final class FaultBridge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FaultBridge.class);

  private final String name;
  private final SocketAddress target;
  private final EventLoopGroup group;
  private volatile @Nullable Channel server;
  private final Set<BridgeConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong seeds;
  private volatile LinkFaults faults = LinkFaults.pass();

  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong reset = new AtomicLong();
  final AtomicLong forwarded = new AtomicLong();
  final AtomicLong discarded = new AtomicLong();

  private FaultBridge(String name, SocketAddress target, EventLoopGroup group, long seed) {
    this.name = name;
    this.target = target;
    this.group = group;
    this.seeds = new AtomicLong(seed);
  }

  /**
   * Starts a bridge with a random jitter seed.
   *
   * @param name for logs, e.g. {@code n2->n1}
   * @param listen where to accept (port 0 picks a free port)
   * @param target where to forward
   * @throws IOException if the listen address cannot be bound
   */
  public static FaultBridge start(String name, SocketAddress listen, SocketAddress target)
      throws IOException {
    return start(name, listen, target, System.nanoTime());
  }

  /** Starts a bridge whose jitter draws come from {@code seed}. */
  public static FaultBridge start(
      String name, SocketAddress listen, SocketAddress target, long seed) throws IOException {
    requireNonNull(name, "name");
    requireNonNull(listen, "listen");
    requireNonNull(target, "target");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // Built before binding, so a connection accepted right after the bind finds its bridge.
    FaultBridge bridge = new FaultBridge(name, target, group, seed);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(
                listen instanceof UnixDomainSocketAddress
                    ? NioServerDomainSocketChannel.class
                    : NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    bridge.accept(ch);
                  }
                });
    if (!(listen instanceof UnixDomainSocketAddress)) {
      b.option(ChannelOption.SO_REUSEADDR, true);
    }
    try {
      bridge.server = b.bind(listen).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("bridge " + name + ": cannot listen on " + listen + ": " + e, e);
    }
    log.info("bridge={} listening={} target={}", name, bridge.localAddress(), target);
    return bridge;
  }

  /** The bound listen address (with the real port when port 0 was asked). */
  public SocketAddress localAddress() {
    return server().localAddress();
  }

  private Channel server() {
    Channel s = server;
    if (s == null) {
      throw new IllegalStateException("bridge " + name + " is not bound");
    }
    return s;
  }

  /** The bound TCP port. */
  public int port() {
    if (!(server().localAddress() instanceof InetSocketAddress a)) {
      throw new IllegalStateException("bridge " + name + " does not listen on TCP");
    }
    return a.getPort();
  }

  /** The target address. */
  public SocketAddress target() {
    return target;
  }

  /** The bridge's name. */
  public String name() {
    return name;
  }

  /** The faults in force. */
  public LinkFaults faults() {
    return faults;
  }

  /** Replaces the faults; established connections follow at once. */
  public void setFaults(LinkFaults newFaults) {
    requireNonNull(newFaults, "newFaults");
    LinkFaults old = faults;
    faults = newFaults;
    if (!old.equals(newFaults)) {
      log.info("bridge={} faults={}", name, newFaults);
    }
    for (BridgeConnection c : connections) {
      c.faultsChanged(old, newFaults);
    }
  }

  /** Removes every fault. */
  public void heal() {
    setFaults(LinkFaults.pass());
  }

  /** Resets (TCP RST) every open connection on both sides; new ones are still accepted. */
  public void resetAll() {
    log.info("bridge={} reset connections={}", name, connections.size());
    for (BridgeConnection c : connections) {
      c.reset();
    }
  }

  /** Counters since start. */
  public BridgeStats stats() {
    return new BridgeStats(
        accepted.get(),
        refused.get(),
        reset.get(),
        connections.size(),
        forwarded.get(),
        discarded.get());
  }

  private void accept(Channel frontend) {
    accepted.incrementAndGet();
    if (faults.refuseNew()) {
      refused.incrementAndGet();
      BridgeConnection.abort(frontend);
      return;
    }
    BridgeConnection c =
        new BridgeConnection(this, frontend, new SplittableRandom(seeds.incrementAndGet()));
    connections.add(c);
    frontend.closeFuture().addListener(f -> connections.remove(c));
    c.start(faults);
  }

  /** Stops accepting, closes every connection and releases the port (and socket file). */
  @Override
  public void close() {
    SocketAddress bound = server().localAddress();
    server().close().awaitUninterruptibly();
    for (BridgeConnection c : connections) {
      c.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    if (bound instanceof UnixDomainSocketAddress u) {
      try {
        Files.deleteIfExists(u.getPath());
      } catch (IOException e) {
        log.warn("bridge={} cannot delete socket file={}", name, u.getPath(), e);
      }
    }
    log.info("bridge={} closed stats={}", name, stats());
  }

  @Override
  public String toString() {
    return "FaultBridge{" + name + " " + localAddress() + " -> " + target + "}";
  }
}
