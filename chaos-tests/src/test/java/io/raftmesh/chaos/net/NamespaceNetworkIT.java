package io.raftmesh.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftmesh.chaos.process.ProcessSpec;
import io.raftmesh.chaos.process.ProcessSupervisor;
import io.raftmesh.chaos.process.Signals;
import io.raftmesh.chaos.process.SupervisedProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real namespaces, veths and firewall rules: runs as root only, skips elsewhere. */
@Timeout(180)
class NamespaceNetworkIT {
  private static final String PREFIX = "rmtest";
  private static final int PORT = 7000;

  @TempDir Path dir;
  private ProcessSupervisor sup;
  private final List<NamespaceNetwork> networks = new ArrayList<>();

  @BeforeAll
  static void requireNamespaces() {
    Optional<String> why = NamespaceHost.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "network namespaces unavailable, skipping: " + why.orElse(""));
  }

  @BeforeEach
  void start() {
    sup = new ProcessSupervisor(Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    sup.close();
    networks.forEach(NamespaceNetwork::close);
  }

  private NamespaceNetwork network(NamespaceNetwork.Config config) throws IOException {
    NamespaceNetwork net = NamespaceNetwork.create(config);
    networks.add(net);
    return net;
  }

  private NamespaceNetwork twoNodes() throws IOException {
    return network(new NamespaceNetwork.Config(PREFIX, List.of("n1", "n2"), "10.99.0", null));
  }

  static List<String> java() {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    return List.of(
        javaBin,
        "-Xmx64m",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        System.getProperty("java.class.path"));
  }

  private SupervisedProcess echoIn(NamespaceNetwork net, String node) throws IOException {
    List<String> cmd = new ArrayList<>(java());
    cmd.add(EchoServer.class.getName());
    cmd.add(net.address(node));
    cmd.add(Integer.toString(PORT));
    return sup.start(
        ProcessSpec.of("echo-" + node, cmd, dir.resolve("echo-" + node + ".log"))
            .wrappedBy(net.execPrefix(node)));
  }

  /** Connects from {@code from} to {@code to}:7000 with bash, sends "ping", expects it back. */
  private static CommandOutput probe(NamespaceNetwork net, String from, String to)
      throws IOException {
    String script =
        "exec 3<>/dev/tcp/" + net.address(to) + "/" + PORT + " && printf ping >&3 && head -c 4 <&3";
    return net.exec(from, List.of("timeout", "3", "bash", "-c", script), Duration.ofSeconds(15));
  }

  private static void awaitReachable(NamespaceNetwork net, String from, String to)
      throws Exception {
    CommandOutput out = probe(net, from, to);
    for (int i = 0; i < 40 && !out.output().equals("ping"); i++) {
      Thread.sleep(250);
      out = probe(net, from, to);
    }
    assertThat(out.output()).as("%s -> %s", from, to).isEqualTo("ping");
  }

  @Test
  void connectsBetweenNamespacesUntilAPartitionAndAgainAfterHeal() throws Exception {
    NamespaceNetwork net = twoNodes();
    echoIn(net, "n1");
    awaitReachable(net, "n2", "n1");

    net.partition(Grudge.isolate("n1", net.nodes()));

    CommandOutput cut = probe(net, "n2", "n1");
    assertThat(cut.ok()).isFalse();
    assertThat(cut.exitCode()).as("timeout(1) exit: the SYN was dropped").isEqualTo(124);
    assertThat(net.rules("n1")).contains(net.address("n2"));
    assertThat(net.rules("n2")).contains(net.address("n1"));

    net.heal();

    assertThat(probe(net, "n2", "n1").output()).isEqualTo("ping");
    assertThat(net.rules("n1")).doesNotContain(net.address("n2"));
    assertThat(net.grudge().isEmpty()).isTrue();
  }

  @Test
  void oneWayRejectRulesLiveOnlyOnTheReceiverAndRefuseAtOnce() throws Exception {
    NamespaceNetwork net = twoNodes();
    echoIn(net, "n1");
    awaitReachable(net, "n2", "n1");

    net.partition(Grudge.oneWay(List.of("n1"), List.of("n2")), DropAction.REJECT);

    CommandOutput out = probe(net, "n2", "n1");
    assertThat(out.exitCode()).isEqualTo(1);
    assertThat(out.output()).contains("refused");
    assertThat(net.rules("n1")).contains(net.address("n2"));
    assertThat(net.rules("n2")).doesNotContain(net.address("n1"));
  }

  @Test
  void lossOfEveryPacketBlocksAndClearingItRestores() throws Exception {
    NamespaceNetwork net = twoNodes();
    echoIn(net, "n1");
    awaitReachable(net, "n2", "n1");

    net.setLoss("n1", 1.0);
    assertThat(probe(net, "n2", "n1").exitCode()).isEqualTo(124);

    net.clearLoss("n1");
    assertThat(probe(net, "n2", "n1").output()).isEqualTo("ping");

    net.setLoss("n1", 0.3);
    assertThat(net.rules("n1")).contains("300");
    assertThatThrownBy(() -> net.setLoss("n1", 0)).hasMessageContaining("expected: 0 < p <= 1");
  }

  @Test
  void iptablesBackendPartitionsAndHealsToo() throws Exception {
    assumeTrue(
        NamespaceHost.hasFirewall(NamespaceNetwork.FirewallKind.IPTABLES),
        "iptables is not installed");
    NamespaceNetwork net =
        network(
            new NamespaceNetwork.Config(
                PREFIX, List.of("n1", "n2"), "10.99.0", NamespaceNetwork.FirewallKind.IPTABLES));
    echoIn(net, "n1");
    awaitReachable(net, "n2", "n1");

    net.partition(Grudge.isolate("n2", net.nodes()));
    assertThat(probe(net, "n2", "n1").exitCode()).isEqualTo(124);
    assertThat(net.rules("n2")).contains("-A RMCHAOS-PART -s " + net.address("n1"));

    net.heal();
    assertThat(probe(net, "n2", "n1").output()).isEqualTo("ping");
  }

  @Test
  void relayCarriesHarnessConnectionsInAndClientCutsApplyToThem() throws Exception {
    NamespaceNetwork net = twoNodes();
    echoIn(net, "n1");
    awaitReachable(net, NamespaceNetwork.CLIENTS, "n1");
    try (NamespaceRelay relay =
        NamespaceRelay.start(
            net, sup, java(), dir.resolve("relay"), Map.of("n1-echo", "n1:" + PORT))) {
      try (Socket s = EchoServer.connect(relay.address("n1-echo"), 10_000)) {
        assertThat(roundTrip(s, "hello")).isEqualTo("hello");
      }

      net.partition(Grudge.oneWay(List.of("n1"), List.of(NamespaceNetwork.CLIENTS)));
      try (Socket s = EchoServer.connect(relay.address("n1-echo"), 1_500)) {
        assertThatThrownBy(() -> roundTrip(s, "cut")).isInstanceOf(SocketTimeoutException.class);
      }

      net.heal();
      try (Socket s = EchoServer.connect(relay.address("n1-echo"), 10_000)) {
        assertThat(roundTrip(s, "again")).isEqualTo("again");
      }
    }
  }

  private static String roundTrip(Socket s, String msg) throws IOException {
    byte[] b = msg.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    return new String(s.getInputStream().readNBytes(b.length), StandardCharsets.UTF_8);
  }

  @Test
  void closeRemovesEveryNamespaceAndWhatRanInside() throws Exception {
    List<String> hostLinksBefore = hostLinks();
    NamespaceNetwork net = twoNodes();
    List<String> names = net.allNamespaces();
    assertThat(NamespaceHost.listNamespaces(PREFIX)).containsAll(names);
    SupervisedProcess sleeper =
        sup.start(
            ProcessSpec.of("sleeper", List.of("sleep", "300"), dir.resolve("sleeper.log"))
                .wrappedBy(net.execPrefix("n2")));
    long pid = sleeper.pid();

    net.close();

    assertThat(NamespaceHost.listNamespaces(PREFIX)).doesNotContainAnyElementsOf(names);
    assertThat(sleeper.waitFor(Duration.ofSeconds(10))).isTrue();
    assertThat(Signals.state(pid)).isEqualTo('?');
    assertThat(hostLinks()).isEqualTo(hostLinksBefore);
  }

  private static List<String> hostLinks() throws IOException {
    List<String> names = new ArrayList<>();
    for (String line :
        HostCommand.check(List.of("ip", "-o", "link", "show"), Duration.ofSeconds(10))
            .split("\n", -1)) {
      String[] parts = line.split(":\\s+", -1);
      if (parts.length > 1) {
        names.add(parts[1].split("@", -1)[0]);
      }
    }
    return names;
  }

  @Test
  void removesLeftoversOfDeadRunsButNotOfLiveOnes() throws Exception {
    NamespaceNetwork live = twoNodes();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String leftover = PREFIX + "-" + gone.pid() + "-dead-n1";
    HostCommand.check(List.of("ip", "netns", "add", leftover), Duration.ofSeconds(10));

    List<String> removed = NamespaceHost.removeLeftovers(PREFIX);

    assertThat(removed).contains(leftover);
    assertThat(NamespaceHost.listNamespaces(PREFIX))
        .doesNotContain(leftover)
        .containsAll(live.allNamespaces());
  }

  @Test
  void rejectsGrudgesNamingUnknownNodes() throws Exception {
    NamespaceNetwork net = twoNodes();

    assertThatThrownBy(() -> net.partition(Grudge.isolate("n9", List.of("n1", "n9"))))
        .hasMessageContaining("node: n9");
    assertThatThrownBy(() -> new NamespaceNetwork.Config(PREFIX, List.of("N1"), "10.99.0", null))
        .hasMessageContaining("nodes: N1");
  }
}
