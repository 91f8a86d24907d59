package io.raftmesh.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class FaultBridgeIT {
  private static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @TempDir Path dir;
  private EchoServer echo;
  private FaultBridge bridge;

  @BeforeEach
  void start() throws IOException {
    echo = EchoServer.tcp();
    bridge = FaultBridge.start("test", ANY_LOOPBACK, echo.address(), 42);
  }

  @AfterEach
  void stop() throws IOException {
    bridge.close();
    echo.close();
  }

  private Socket client(int readTimeoutMillis) throws IOException {
    return EchoServer.connect(bridge.localAddress(), readTimeoutMillis);
  }

  private static byte[] readFully(InputStream in, int n) throws IOException {
    byte[] out = in.readNBytes(n);
    assertThat(out).hasSize(n);
    return out;
  }

  private static String roundTrip(Socket s, String msg) throws IOException {
    byte[] b = msg.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    return new String(readFully(s.getInputStream(), b.length), StandardCharsets.UTF_8);
  }

  @Test
  void forwardsBytesBothWaysUnchanged() throws Exception {
    byte[] data = new byte[512 * 1024];
    new Random(7).nextBytes(data);
    try (Socket s = client(10_000)) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = s.getOutputStream();
                  out.write(data);
                  out.flush();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      writer.start();
      byte[] back = readFully(s.getInputStream(), data.length);
      writer.join();

      assertThat(back).isEqualTo(data);
    }
    assertThat(bridge.stats().bytesForwarded()).isEqualTo(2L * data.length);
    assertThat(bridge.stats().accepted()).isEqualTo(1);
  }

  @Test
  void delaysEachDirectionByAtLeastTheConfiguredLatency() throws IOException {
    bridge.setFaults(LinkFaults.delay(Duration.ofMillis(150), Duration.ZERO));
    try (Socket s = client(10_000)) {
      long start = System.nanoTime();
      assertThat(roundTrip(s, "ping")).isEqualTo("ping");
      long rtt = System.nanoTime() - start;

      assertThat(Duration.ofNanos(rtt)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void keepsByteOrderUnderJitter() throws IOException {
    bridge.setFaults(LinkFaults.delay(Duration.ofMillis(20), Duration.ofMillis(20)));
    StringBuilder sent = new StringBuilder();
    try (Socket s = client(10_000)) {
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < 200; i++) {
        String part = i + ",";
        sent.append(part);
        out.write(part.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      String back =
          new String(readFully(s.getInputStream(), sent.length()), StandardCharsets.UTF_8);

      assertThat(back).isEqualTo(sent.toString());
    }
  }

  @Test
  void stallHoldsBytesAndDeliversThemIntactWhenItEnds() throws IOException {
    try (Socket s = client(300)) {
      assertThat(roundTrip(s, "before")).isEqualTo("before");
      bridge.setFaults(LinkFaults.stall());
      s.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();

      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);

      bridge.heal();
      s.setSoTimeout(10_000);
      assertThat(new String(readFully(s.getInputStream(), 4), StandardCharsets.UTF_8))
          .isEqualTo("held");
    }
  }

  @Test
  void stallDefersTheTargetConnectionOfNewClients() throws IOException {
    bridge.setFaults(LinkFaults.stall());
    try (Socket s = client(300)) {
      s.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      assertThat(echo.accepted()).isZero();

      bridge.heal();
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read()).isEqualTo('x');
      assertThat(echo.accepted()).isEqualTo(1);
    }
  }

  @Test
  void blackholeDiscardsBytesAndResetsDamagedConnectionsWhenItEnds() throws IOException {
    try (Socket s = client(300)) {
      assertThat(roundTrip(s, "a")).isEqualTo("a");
      bridge.setFaults(LinkFaults.blackhole());
      s.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);

      bridge.heal();
      s.setSoTimeout(10_000);

      assertThatThrownBy(() -> readUntilEnd(s))
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
    }
    assertThat(bridge.stats().bytesDiscarded()).isGreaterThanOrEqualTo(4);
    assertThat(bridge.stats().reset()).isEqualTo(1);
    try (Socket fresh = client(10_000)) {
      assertThat(roundTrip(fresh, "again")).isEqualTo("again");
    }
  }

  /** Reads until end of stream; an orderly end (no reset) fails the caller's expectation. */
  private static void readUntilEnd(Socket s) throws IOException {
    while (s.getInputStream().read() >= 0) {
      // drain
    }
    throw new AssertionError("connection ended without a reset");
  }

  @Test
  void refusingNewConnectionsResetsThemButKeepsExistingOnes() throws IOException {
    try (Socket existing = client(10_000)) {
      assertThat(roundTrip(existing, "one")).isEqualTo("one");
      bridge.setFaults(LinkFaults.refuseNewConnections());

      assertThatThrownBy(
              () -> {
                try (Socket refused = client(10_000)) {
                  readUntilEnd(refused);
                }
              })
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
      assertThat(roundTrip(existing, "two")).isEqualTo("two");
    }
    assertThat(bridge.stats().refused()).isEqualTo(1);
    assertThat(echo.accepted()).isEqualTo(1);
  }

  @Test
  void resetAllResetsEveryOpenConnectionOnBothSides() throws Exception {
    try (Socket a = client(10_000);
        Socket b = client(10_000)) {
      assertThat(roundTrip(a, "a")).isEqualTo("a");
      assertThat(roundTrip(b, "b")).isEqualTo("b");

      bridge.resetAll();

      assertThatThrownBy(() -> readUntilEnd(a)).isInstanceOf(SocketException.class);
      assertThatThrownBy(() -> readUntilEnd(b)).isInstanceOf(SocketException.class);
    }
    for (int i = 0; i < 100 && echo.ended() < 2; i++) {
      Thread.sleep(50);
    }
    assertThat(echo.ended()).isEqualTo(2);
    assertThat(bridge.stats().reset()).isEqualTo(2);
    assertThat(bridge.stats().active()).isZero();
  }

  @Test
  void throttlesThroughputPerDirection() throws Exception {
    int bytesPerSecond = 64 * 1024;
    bridge.setFaults(LinkFaults.throttle(bytesPerSecond));
    byte[] data = new byte[32 * 1024];
    try (Socket s = client(20_000)) {
      long start = System.nanoTime();
      s.getOutputStream().write(data);
      s.getOutputStream().flush();
      readFully(s.getInputStream(), data.length);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      // 32 KiB at 64 KiB/s needs at least half a second in each direction (they overlap).
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }
  }

  @Test
  void carriesTcpThroughAUnixSocketHop() throws IOException {
    Path sock = dir.resolve("hop.sock");
    try (FaultBridge inner =
            FaultBridge.start(
                "unix->tcp", UnixDomainSocketAddress.of(sock), bridge.localAddress());
        FaultBridge outer = FaultBridge.start("tcp->unix", ANY_LOOPBACK, inner.localAddress());
        Socket s = EchoServer.connect(outer.localAddress(), 10_000)) {
      assertThat(roundTrip(s, "through a socket file")).isEqualTo("through a socket file");
      assertThat(inner.stats().accepted()).isEqualTo(1);
    }
    assertThat(sock).doesNotExist();
  }

  @Test
  void closeReleasesThePortAndClosesConnections() throws IOException {
    Socket s = client(10_000);
    assertThat(roundTrip(s, "x")).isEqualTo("x");
    int port = bridge.port();

    bridge.close();

    assertThat(s.getInputStream().read()).isEqualTo(-1);
    s.close();
    bridge =
        FaultBridge.start(
            "again", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), echo.address());
    assertThat(bridge.port()).isEqualTo(port);
  }

  @Test
  void rejectsNegativeFaultValues() {
    assertThatThrownBy(() -> LinkFaults.delay(Duration.ofMillis(-1), Duration.ZERO))
        .hasMessage("delay: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> LinkFaults.throttle(-5))
        .hasMessage("bytesPerSecond: -5 (expected: >= 0, 0 for no limit)");
  }
}
