package io.raftmesh.chaos.net;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * Prints loopback echo throughput and round-trip latency, direct and through a pass-through {@link
 * FaultBridge} (a benchmark, not a test). Run it as the module README shows.
 */
public final class BridgeBenchmark {
  private BridgeBenchmark() {}

  /** Prints one line per path. */
  public static void main(String[] args) throws Exception {
    try (EchoServer echo = EchoServer.tcp();
        FaultBridge bridge =
            FaultBridge.start(
                "bench",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                echo.address())) {
      measure("direct", echo.address());
      measure("bridge", bridge.localAddress());
      measure("direct", echo.address());
      measure("bridge", bridge.localAddress());
    }
  }

  private static void measure(String label, SocketAddress target) throws Exception {
    int rounds = 2_000;
    long bytes = 256L << 20;
    try (Socket s = EchoServer.connect(target, 30_000)) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        out.write(1);
        out.flush();
        in.read();
      }
      double rttMicros = (System.nanoTime() - start) / 1e3 / rounds;
      byte[] chunk = new byte[64 * 1024];
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (long sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(chunk);
                  }
                  out.flush();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      start = System.nanoTime();
      writer.start();
      byte[] buf = new byte[64 * 1024];
      for (long got = 0; got < bytes; ) {
        int n = in.read(buf);
        if (n < 0) {
          throw new IllegalStateException("closed early");
        }
        got += n;
      }
      writer.join();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.println(
          String.format(
              Locale.ROOT,
              "%-7s rtt %6.1f us   echo throughput %7.1f MiB/s",
              label,
              rttMicros,
              bytes / 1048576.0 / seconds));
    }
  }
}
