package io.raftmesh.chaos.net;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition and loss rules inside the network namespaces of running processes (one per node, e.g. a
 * container's init process), entered from the host with {@code nsenter -t <pid> -n}: the host's
 * {@code nft} or {@code iptables} writes them, so the nodes' images need no firewall tools.
 *
 * <p>Each node is bound to a PID in its namespace and its address on the shared network. A node
 * that stops loses its namespace and its rules ({@link #unbind}); binding it again (after a
 * restart: a new namespace, perhaps a new address) installs the rule groups and reapplies the
 * partition and the loss in force, on every bound node if the address changed. Rules for unbound
 * nodes are skipped, never faked: the grudge still names them, so they get their rules when bound.
 *
 * <p>Needs root, {@code nsenter} and {@code nft} or {@code iptables}; {@link #unavailableReason()}
 * says why not.
 */
public final class NetnsFirewall {
  private static final Logger log = LoggerFactory.getLogger(NetnsFirewall.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Firewall firewall;
  private final NamespaceNetwork.FirewallKind kind;
  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final Map<String, String> addresses = new HashMap<>();
  private final Map<String, Double> loss = new HashMap<>();
  private Grudge grudge = Grudge.none();

  private NetnsFirewall(NamespaceNetwork.FirewallKind kind) {
    this.kind = kind;
    this.firewall =
        kind == NamespaceNetwork.FirewallKind.NFT ? new Firewall.Nft() : new Firewall.Iptables();
  }

  /** Why rules cannot be written into other namespaces here, or empty when they can. */
  public static Optional<String> unavailableReason() {
    try {
      CommandOutput uid = HostCommand.run(List.of("id", "-u"), null, TIMEOUT);
      if (!uid.ok() || !uid.output().equals("0")) {
        return Optional.of(
            "firewall rules in node namespaces need root (uid " + uid.output() + ")");
      }
      if (!HostCommand.run(List.of("nsenter", "--version"), null, TIMEOUT).ok()) {
        return Optional.of("nsenter (util-linux) is missing");
      }
    } catch (IOException e) {
      return Optional.of("cannot run host tools: " + e.getMessage());
    }
    if (!NamespaceHost.hasFirewall(NamespaceNetwork.FirewallKind.NFT)
        && !NamespaceHost.hasFirewall(NamespaceNetwork.FirewallKind.IPTABLES)) {
      return Optional.of("neither nft nor iptables is installed on the host");
    }
    return Optional.empty();
  }

  /** A firewall using nft when present, else iptables. */
  public static NetnsFirewall create() {
    return new NetnsFirewall(
        NamespaceHost.hasFirewall(NamespaceNetwork.FirewallKind.NFT)
            ? NamespaceNetwork.FirewallKind.NFT
            : NamespaceNetwork.FirewallKind.IPTABLES);
  }

  /** The tool writing the rules. */
  public NamespaceNetwork.FirewallKind kind() {
    return kind;
  }

  /**
   * Binds {@code node} to the namespace of {@code pid}, where it has {@code address}, and installs
   * the rules in force.
   */
  public synchronized void bind(String node, long pid, String address) throws IOException {
    requireNonNull(node, "node");
    requireNonNull(address, "address");
    if (pid <= 0) {
      throw new IllegalArgumentException("pid: " + pid + " (expected: a running process)");
    }
    String before = addresses.put(node, address);
    pids.put(node, pid);
    runAll(node, firewall.setup());
    if (before != null && !before.equals(address)) {
      log.info(
          "netns-fw node={} address {} -> {}: reapplying the partition", node, before, address);
      applyPartition(pids.keySet());
    } else {
      applyPartition(Set.of(node));
    }
    Double p = loss.get(node);
    if (p != null) {
      runAll(node, firewall.loss(p));
    }
    log.info("netns-fw bound node={} pid={} address={}", node, pid, address);
  }

  /** Forgets the namespace of a node that stopped (its rules went with it). */
  public synchronized void unbind(String node) {
    pids.remove(node);
  }

  /** Replaces the partition (DROP rules): every node drops packets from those its grudge names. */
  public synchronized void partition(Grudge newGrudge) throws IOException {
    requireNonNull(newGrudge, "newGrudge");
    for (Map.Entry<String, Set<String>> e : newGrudge.asMap().entrySet()) {
      for (String n : e.getValue()) {
        if (!addresses.containsKey(n)) {
          throw new IllegalArgumentException(
              "grudge: node " + n + " (expected: one of " + addresses.keySet() + ")");
        }
      }
    }
    grudge = newGrudge;
    applyPartition(pids.keySet());
    log.info("netns-fw partition grudge={} bound={}", newGrudge, pids.keySet());
  }

  private void applyPartition(Set<String> nodes) throws IOException {
    for (String node : List.copyOf(nodes)) {
      runAll(node, firewall.healPartition());
      Set<String> drops = grudge.drops(node);
      if (!drops.isEmpty()) {
        Set<String> sources = new TreeSet<>();
        drops.forEach(n -> sources.add(requireNonNull(addresses.get(n), n)));
        runAll(node, firewall.partition(sources, DropAction.DROP));
      }
    }
  }

  /** The partition in force. */
  public synchronized Grudge grudge() {
    return grudge;
  }

  /**
   * Drops a random share of the packets arriving at {@code node}; 0 removes the rule.
   *
   * @throws IllegalArgumentException unless {@code 0 <= probability <= 1}
   */
  public synchronized void setLoss(String node, double probability) throws IOException {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException(
          "probability: " + probability + " (expected: 0 <= p <= 1)");
    }
    if (!addresses.containsKey(node)) {
      throw new IllegalArgumentException(
          "node: " + node + " (expected: one of " + addresses.keySet() + ")");
    }
    if (probability == 0) {
      loss.remove(node);
    } else {
      loss.put(node, probability);
    }
    if (pids.containsKey(node)) {
      runAll(node, firewall.clearLoss());
      if (probability > 0) {
        runAll(node, firewall.loss(probability));
      }
    }
    log.info("netns-fw loss node={} probability={}", node, probability);
  }

  /** The rules inside a bound node's namespace, as the tool lists them. */
  public synchronized String rules(String node) throws IOException {
    CommandOutput out = HostCommand.run(argv(node, firewall.list()), null, TIMEOUT);
    if (!out.ok()) {
      throw new IOException("cannot list the rules of " + node + ": " + out.output());
    }
    return out.output();
  }

  private List<String> argv(String node, List<String> command) {
    Long pid = pids.get(node);
    if (pid == null) {
      throw new IllegalStateException("node " + node + " is not bound (stopped)");
    }
    List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n"));
    argv.addAll(command);
    return argv;
  }

  private void runAll(String node, List<List<String>> commands) throws IOException {
    if (!pids.containsKey(node)) {
      return; // stopped: bind() installs its rules when it runs again
    }
    for (List<String> c : commands) {
      CommandOutput out = HostCommand.run(argv(node, c), null, TIMEOUT);
      if (!out.ok()) {
        throw new IOException(
            "in the namespace of "
                + node
                + " (pid "
                + pids.get(node)
                + "): "
                + String.join(" ", c)
                + ": exit "
                + out.exitCode()
                + ": "
                + out.output());
      }
    }
  }
}
