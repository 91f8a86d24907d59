package io.raftmesh.chaos.net;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.process.ProcessSpec;
import io.raftmesh.chaos.process.ProcessSupervisor;
import io.raftmesh.chaos.process.SupervisedProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lets the harness JVM, which lives in the host's network namespace, reach ports inside a {@link
 * NamespaceNetwork}: a {@link BridgeMain} process in the hub namespace forwards a socket file per
 * target to {@code <node address>:<port>}, and a {@link FaultBridge} in this JVM exposes each
 * socket file on a loopback port. Connections therefore come from the client address ({@link
 * NamespaceNetwork#CLIENTS}), so grudges that cut clients off apply to them, and each loopback
 * bridge can add client-side faults of its own.
 */
public final class NamespaceRelay implements AutoCloseable {
  private final SupervisedProcess relay;
  private final Map<String, FaultBridge> bridges;

  private NamespaceRelay(SupervisedProcess relay, Map<String, FaultBridge> bridges) {
    this.relay = relay;
    this.bridges = bridges;
  }

  /**
   * Starts the relay.
   *
   * @param net the network
   * @param supervisor starts (and will stop) the relay process
   * @param javaCommand how to start a JVM with this module on its class path, e.g. {@code [java,
   *     -cp, <classpath>]}
   * @param dir where the socket files and the relay's log go
   * @param targets name to {@code node:port}, e.g. {@code n1-api -> n1:7000}
   * @throws IOException if the relay does not come up within 30 seconds
   */
  public static NamespaceRelay start(
      NamespaceNetwork net,
      ProcessSupervisor supervisor,
      List<String> javaCommand,
      Path dir,
      Map<String, String> targets)
      throws IOException {
    requireNonNull(net, "net");
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>(javaCommand);
    command.add(BridgeMain.class.getName());
    Map<String, Path> sockets = new LinkedHashMap<>();
    for (Map.Entry<String, String> t : targets.entrySet()) {
      String[] nodePort = t.getValue().split(":", 2);
      if (nodePort.length != 2) {
        throw new IllegalArgumentException(
            "targets[" + t.getKey() + "]: " + t.getValue() + " (expected: node:port)");
      }
      Path sock = dir.resolve(t.getKey() + ".sock").toAbsolutePath();
      Files.deleteIfExists(sock);
      sockets.put(t.getKey(), sock);
      command.add("unix:" + sock + "=" + net.address(nodePort[0]) + ":" + nodePort[1]);
    }
    SupervisedProcess relay =
        supervisor.start(
            ProcessSpec.of("relay-" + net.runId(), command, dir.resolve("relay.log"))
                .wrappedBy(net.execPrefix(NamespaceNetwork.CLIENTS)));
    Map<String, FaultBridge> bridges = new LinkedHashMap<>();
    try {
      awaitSockets(relay, sockets.values());
      for (Map.Entry<String, Path> s : sockets.entrySet()) {
        bridges.put(
            s.getKey(),
            FaultBridge.start(
                "client->" + s.getKey(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UnixDomainSocketAddress.of(s.getValue())));
      }
    } catch (IOException | RuntimeException e) {
      bridges.values().forEach(FaultBridge::close);
      relay.kill();
      throw e;
    }
    return new NamespaceRelay(relay, bridges);
  }

  private static void awaitSockets(SupervisedProcess relay, Iterable<Path> sockets)
      throws IOException {
    for (int i = 0; i < 300; i++) {
      boolean all = true;
      for (Path p : sockets) {
        all &= Files.exists(p);
      }
      if (all) {
        return;
      }
      if (!relay.isAlive()) {
        throw new IOException("relay exited early: see " + relay.spec().logFile());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for the relay", e);
      }
    }
    throw new IOException("relay did not open its sockets in 30 s: see " + relay.spec().logFile());
  }

  /** The loopback address that reaches {@code name}'s target. */
  public InetSocketAddress address(String name) {
    return (InetSocketAddress) bridge(name).localAddress();
  }

  /** The loopback bridge of {@code name}, for client-side faults (delay, reset...). */
  public FaultBridge bridge(String name) {
    FaultBridge b = bridges.get(name);
    if (b == null) {
      throw new IllegalArgumentException(
          "name: " + name + " (expected: one of " + bridges.keySet() + ")");
    }
    return b;
  }

  /** Closes the loopback bridges and stops the relay process. */
  @Override
  public void close() throws IOException {
    bridges.values().forEach(FaultBridge::close);
    relay.stop(java.time.Duration.ofSeconds(5));
  }
}
