package io.raftmesh.chaos.net;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-alone process of pass-through {@link FaultBridge}s, run inside a network namespace to
 * carry connections from the harness (through a socket file, which namespaces share) to addresses
 * that exist only in that namespace.
 *
 * <p>Usage: {@code BridgeMain LISTEN=TARGET...}, each address {@code unix:/path} or {@code
 * host:port}. It runs until it is terminated.
 */
public final class BridgeMain {
  private BridgeMain() {}

  /** Starts one bridge per argument and waits for SIGTERM. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("arguments: none (expected: LISTEN=TARGET...)");
    }
    List<FaultBridge> bridges = new ArrayList<>();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  bridges.forEach(FaultBridge::close);
                  stop.countDown();
                }));
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("argument: " + arg + " (expected: LISTEN=TARGET)");
      }
      SocketAddress listen = parse(arg.substring(0, eq));
      SocketAddress target = parse(arg.substring(eq + 1));
      bridges.add(FaultBridge.start(arg, listen, target));
    }
    stop.await();
  }

  /** {@code unix:/path} or {@code host:port}. */
  static SocketAddress parse(String s) {
    if (s.startsWith("unix:")) {
      return UnixDomainSocketAddress.of(Path.of(s.substring("unix:".length())));
    }
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("address: " + s + " (expected: unix:/path or host:port)");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address: " + s + " (expected: a numeric port)", e);
    }
    return new InetSocketAddress(s.substring(0, colon), port);
  }
}
