package io.raftmesh.agent.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A TCP echo server on loopback, a thread per connection. */
public final class EchoServer implements AutoCloseable {
  private final ServerSocket socket;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  /** Starts on an ephemeral port. */
  public EchoServer() throws IOException {
    socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    pool.execute(
        () -> {
          while (!socket.isClosed()) {
            try {
              Socket s = socket.accept();
              pool.execute(() -> echo(s));
            } catch (IOException e) {
              return;
            }
          }
        });
  }

  private static void echo(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // The peer went away.
    }
  }

  /** Where it listens. */
  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
  }

  @Override
  public void close() throws Exception {
    socket.close();
    pool.shutdownNow();
    pool.awaitTermination(5, TimeUnit.SECONDS);
  }
}
