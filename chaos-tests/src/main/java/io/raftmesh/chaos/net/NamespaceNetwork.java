package io.raftmesh.chaos.net;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One private network per run, made of Linux network namespaces: a hub namespace holding a bridge
 * (address {@code <subnet>.254}, where harness-side clients live, named {@link #CLIENTS}), and one
 * namespace per node with a veth pair to the bridge and address {@code <subnet>.<i>}. The subnet
 * exists only inside these namespaces; nothing is added to the host's own network.
 *
 * <p>Faults are firewall rules inside the namespaces: partitions from a {@link Grudge} (node to
 * nodes it drops packets from; {@link #CLIENTS} may appear on either side), and random loss. Names
 * carry the harness prefix, the owner PID and a random tag, so parallel runs never collide and
 * {@link NamespaceHost#removeLeftovers} can delete what a dead run left behind. Everything is torn
 * down on {@link #close()}, and by a shutdown hook if the JVM exits first.
 *
 * <p>Needs root, iproute2 and nft or iptables; {@link NamespaceHost#unavailableReason()} says why
 * not.
 */
public final class NamespaceNetwork implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NamespaceNetwork.class);

  /** The name of the client side (the hub namespace) in grudges and {@link #exec}. */
  public static final String CLIENTS = "clients";

  /** The name prefix of everything this harness creates. */
  public static final String DEFAULT_PREFIX = "rmchaos";

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]{1,12}");
  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,15}");
  static final Duration HOST_TIMEOUT = TIMEOUT;

  /** Which firewall tool writes the rules. */
  public enum FirewallKind {
    /** nftables ({@code nft}). */
    NFT,
    /** iptables (either backend). */
    IPTABLES
  }

  /**
   * What to build.
   *
   * @param prefix the name prefix (lower case, starts with a letter, at most 16 characters)
   * @param nodes node names ({@code [a-z0-9]{1,12}}), at most 250
   * @param subnet the first three octets of the private /24, e.g. {@code 10.99.0}
   * @param firewall the tool to use, or {@code null} for nft when present, else iptables
   */
  public record Config(
      String prefix, List<String> nodes, String subnet, @Nullable FirewallKind firewall) {
    /** Validates names and the subnet. */
    public Config {
      requireNonNull(prefix, "prefix");
      requireNonNull(subnet, "subnet");
      nodes = List.copyOf(nodes);
      if (!PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException(
            "prefix: " + prefix + " (expected: [a-z][a-z0-9]{0,15})");
      }
      if (nodes.isEmpty() || nodes.size() > 250) {
        throw new IllegalArgumentException("nodes: " + nodes.size() + " (expected: 1..250)");
      }
      if (new TreeSet<>(nodes).size() != nodes.size()) {
        throw new IllegalArgumentException("nodes: " + nodes + " (expected: distinct names)");
      }
      for (String n : nodes) {
        if (!NODE_NAME.matcher(n).matches() || n.equals("hub")) {
          throw new IllegalArgumentException(
              "nodes: " + n + " (expected: [a-z0-9]{1,12}, not \"hub\")");
        }
      }
      if (!subnet.matches("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})")) {
        throw new IllegalArgumentException(
            "subnet: " + subnet + " (expected: three octets, e.g. 10.99.0)");
      }
    }

    /** The default prefix and subnet {@code 10.99.0}, with the preferred firewall. */
    public static Config of(List<String> nodes) {
      return new Config(DEFAULT_PREFIX, nodes, "10.99.0", null);
    }

    /** This config with another firewall tool. */
    public Config withFirewall(FirewallKind kind) {
      return new Config(prefix, nodes, subnet, kind);
    }
  }

  private final String prefix;
  private final String runId;
  private final List<String> nodes;
  private final Map<String, String> namespaces = new LinkedHashMap<>();
  private final Map<String, String> addresses = new LinkedHashMap<>();
  private final List<String> created = new ArrayList<>();
  private final Firewall firewall;
  private final FirewallKind firewallKind;
  private final Thread hook;
  private Grudge grudge = Grudge.none();
  private boolean closed;

  private NamespaceNetwork(Config config, FirewallKind kind) {
    this.prefix = config.prefix();
    this.runId =
        ProcessHandle.current().pid()
            + "-"
            + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    this.nodes = config.nodes();
    this.firewallKind = kind;
    this.firewall = kind == FirewallKind.NFT ? new Firewall.Nft() : new Firewall.Iptables();
    namespaces.put(CLIENTS, prefix + "-" + runId + "-hub");
    addresses.put(CLIENTS, config.subnet() + ".254");
    for (int i = 0; i < nodes.size(); i++) {
      namespaces.put(nodes.get(i), prefix + "-" + runId + "-" + nodes.get(i));
      addresses.put(nodes.get(i), config.subnet() + "." + (i + 1));
    }
    this.hook = new Thread(this::teardown, "netns-cleanup-" + runId);
  }

  /**
   * Builds the network.
   *
   * @throws IOException if a step fails; whatever was created is removed again
   * @throws IllegalStateException if namespaces are unavailable here
   */
  public static NamespaceNetwork create(Config config) throws IOException {
    requireNonNull(config, "config");
    Optional<String> why = NamespaceHost.unavailableReason();
    if (why.isPresent()) {
      throw new IllegalStateException("network namespaces unavailable: " + why.get());
    }
    FirewallKind kind = config.firewall();
    if (kind == null) {
      kind = NamespaceHost.hasFirewall(FirewallKind.NFT) ? FirewallKind.NFT : FirewallKind.IPTABLES;
    }
    NamespaceNetwork net = new NamespaceNetwork(config, kind);
    Runtime.getRuntime().addShutdownHook(net.hook);
    try {
      net.build();
    } catch (IOException | RuntimeException e) {
      net.close();
      throw e;
    }
    log.info(
        "netns run={} nodes={} firewall={} addresses={}",
        net.runId,
        net.nodes,
        kind,
        net.addresses);
    return net;
  }

  private void build() throws IOException {
    String hub = hubNamespace();
    addNamespace(hub);
    ip("-n", hub, "link", "add", "br0", "type", "bridge");
    ip("-n", hub, "addr", "add", addresses.get(CLIENTS) + "/24", "dev", "br0");
    ip("-n", hub, "link", "set", "br0", "up");
    runAll(CLIENTS, firewall.setup());
    for (int i = 0; i < nodes.size(); i++) {
      String node = nodes.get(i);
      String ns = namespace(node);
      String peer = "v" + (i + 1);
      addNamespace(ns);
      // Both ends are created directly inside their namespaces: no name ever exists on the host.
      ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", peer, "netns", hub);
      ip("-n", hub, "link", "set", peer, "master", "br0");
      ip("-n", hub, "link", "set", peer, "up");
      ip("-n", ns, "addr", "add", address(node) + "/24", "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
      runAll(node, firewall.setup());
    }
  }

  private void addNamespace(String ns) throws IOException {
    ip("netns", "add", ns);
    created.add(ns);
    ip("-n", ns, "link", "set", "lo", "up");
  }

  private static void ip(String... args) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add("ip");
    Collections.addAll(argv, args);
    HostCommand.check(argv, TIMEOUT);
  }

  /** This run's id ({@code <owner pid>-<random>}), part of every name it creates. */
  public String runId() {
    return runId;
  }

  /** The node names. */
  public List<String> nodes() {
    return nodes;
  }

  /** The firewall tool in use. */
  public FirewallKind firewallKind() {
    return firewallKind;
  }

  /** The address of a node, or of {@link #CLIENTS}. */
  public String address(String node) {
    String a = addresses.get(node);
    if (a == null) {
      throw new IllegalArgumentException(
          "node: " + node + " (expected: one of " + addresses.keySet() + ")");
    }
    return a;
  }

  /** The namespace of a node, or of {@link #CLIENTS} (the hub). */
  public String namespace(String node) {
    String ns = namespaces.get(node);
    if (ns == null) {
      throw new IllegalArgumentException(
          "node: " + node + " (expected: one of " + namespaces.keySet() + ")");
    }
    return ns;
  }

  /** The hub namespace, where the bridge and the client address live. */
  public String hubNamespace() {
    return namespace(CLIENTS);
  }

  /** Every namespace of this run, hub first. */
  public List<String> allNamespaces() {
    return List.copyOf(namespaces.values());
  }

  /** The prefix that runs a command inside a node's namespace: {@code ip netns exec <ns>}. */
  public List<String> execPrefix(String node) {
    return List.of("ip", "netns", "exec", namespace(node));
  }

  /** Runs a short command inside a node's (or the hub's) namespace and returns its output. */
  public CommandOutput exec(String node, List<String> command, Duration timeout)
      throws IOException {
    List<String> argv = new ArrayList<>(execPrefix(node));
    argv.addAll(command);
    return HostCommand.run(argv, null, timeout);
  }

  /**
   * Replaces the partition: every node drops (or rejects) packets from the nodes its grudge names.
   * An empty grudge heals the partition.
   */
  public synchronized void partition(Grudge newGrudge, DropAction action) throws IOException {
    requireNonNull(newGrudge, "newGrudge");
    for (Map.Entry<String, Set<String>> e : newGrudge.asMap().entrySet()) {
      namespace(e.getKey());
      e.getValue().forEach(this::namespace);
    }
    for (String node : namespaces.keySet()) {
      runAll(node, firewall.healPartition());
    }
    for (Map.Entry<String, Set<String>> e : newGrudge.asMap().entrySet()) {
      Set<String> sources = new TreeSet<>();
      e.getValue().forEach(n -> sources.add(address(n)));
      runAll(e.getKey(), firewall.partition(sources, action));
    }
    grudge = newGrudge;
    log.info("netns run={} partition action={} grudge={}", runId, action, newGrudge);
  }

  /** {@link #partition(Grudge, DropAction)} with DROP. */
  public void partition(Grudge newGrudge) throws IOException {
    partition(newGrudge, DropAction.DROP);
  }

  /** The partition in force. */
  public synchronized Grudge grudge() {
    return grudge;
  }

  /**
   * Drops a random share of the packets arriving at {@code node}.
   *
   * @throws IllegalArgumentException unless {@code 0 < probability <= 1}
   */
  public synchronized void setLoss(String node, double probability) throws IOException {
    if (!(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability: " + probability + " (expected: 0 < p <= 1)");
    }
    runAll(node, firewall.clearLoss());
    runAll(node, firewall.loss(probability));
    log.info("netns run={} loss node={} probability={}", runId, node, probability);
  }

  /** Removes the loss rules of {@code node}. */
  public synchronized void clearLoss(String node) throws IOException {
    runAll(node, firewall.clearLoss());
  }

  /** Removes every partition and loss rule. */
  public synchronized void heal() throws IOException {
    for (String node : namespaces.keySet()) {
      runAll(node, firewall.healPartition());
      runAll(node, firewall.clearLoss());
    }
    grudge = Grudge.none();
    log.info("netns run={} healed", runId);
  }

  /** The firewall rules inside a node's namespace, as the tool lists them. */
  public String rules(String node) throws IOException {
    CommandOutput out = exec(node, firewall.list(), TIMEOUT);
    if (!out.ok()) {
      throw new IOException("cannot list rules of " + node + ": " + out.output());
    }
    return out.output();
  }

  private void runAll(String node, List<List<String>> commands) throws IOException {
    for (List<String> c : commands) {
      CommandOutput out = exec(node, c, TIMEOUT);
      if (!out.ok()) {
        throw new IOException(
            "in "
                + namespace(node)
                + ": "
                + String.join(" ", c)
                + ": exit "
                + out.exitCode()
                + ": "
                + out.output());
      }
    }
  }

  /** Kills what still runs inside this run's namespaces and deletes them. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down; the hook runs or ran
    }
  }

  private void teardown() {
    List<String> reversed = new ArrayList<>(created);
    Collections.reverse(reversed);
    for (String ns : reversed) {
      NamespaceHost.deleteNamespace(ns);
    }
    if (!reversed.isEmpty()) {
      log.info("netns run={} removed namespaces={}", runId, reversed.size());
    }
    created.clear();
  }

  @Override
  public String toString() {
    return "NamespaceNetwork{run="
        + runId
        + ", nodes="
        + nodes
        + ", firewall="
        + firewallKind
        + "}";
  }
}
