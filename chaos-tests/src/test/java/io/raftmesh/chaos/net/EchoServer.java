package io.raftmesh.chaos.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A blocking echo server on loopback TCP or a Unix socket, one thread per connection. */
final class EchoServer implements AutoCloseable {
  private final ServerSocketChannel server;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();
  private final Thread acceptor;
  private final SocketAddress address;

  private EchoServer(ServerSocketChannel server, SocketAddress address) {
    this.server = server;
    this.address = address;
    this.acceptor = new Thread(this::acceptLoop, "echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static EchoServer tcp() throws IOException {
    return tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  static EchoServer tcp(InetSocketAddress bind) throws IOException {
    ServerSocketChannel s = ServerSocketChannel.open();
    s.bind(bind);
    return new EchoServer(s, s.getLocalAddress());
  }

  /** Runs an echo server on {@code args[0]:args[1]} until killed (started inside namespaces). */
  public static void main(String[] args) throws Exception {
    try (EchoServer e = tcp(new InetSocketAddress(args[0], Integer.parseInt(args[1])))) {
      System.out.println("echo listening on " + e.address());
      e.acceptor.join();
    }
  }

  static EchoServer unix(Path socketFile) throws IOException {
    Files.deleteIfExists(socketFile);
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    UnixDomainSocketAddress a = UnixDomainSocketAddress.of(socketFile);
    s.bind(a);
    return new EchoServer(s, a);
  }

  SocketAddress address() {
    return address;
  }

  int accepted() {
    return accepted.get();
  }

  int ended() {
    return ended.get();
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel c;
      try {
        c = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      open.add(c);
      Thread t = new Thread(() -> echo(c), "echo-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void echo(SocketChannel c) {
    try (InputStream in = Channels.newInputStream(c);
        OutputStream out = Channels.newOutputStream(c)) {
      byte[] buf = new byte[8192];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // the peer reset or the server closed: the connection is over either way
    } finally {
      ended.incrementAndGet();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (address instanceof UnixDomainSocketAddress u) {
      Files.deleteIfExists(u.getPath());
    }
  }

  /** A connected TCP client socket with a read timeout. */
  static Socket connect(SocketAddress a, int timeoutMillis) throws IOException {
    Socket s = new Socket();
    s.connect(a, 5_000);
    s.setSoTimeout(timeoutMillis);
    return s;
  }

  /** A connected Unix-socket client as a blocking channel. */
  static SocketChannel connectUnix(SocketAddress a) throws IOException {
    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
    c.connect(a);
    return c;
  }

  static ByteBuffer wrap(byte[] b) {
    return ByteBuffer.wrap(b);
  }
}
