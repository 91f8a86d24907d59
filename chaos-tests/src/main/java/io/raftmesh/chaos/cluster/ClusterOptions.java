package io.raftmesh.chaos.cluster;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What cluster to start.
 *
 * @param size how many control servers (1..9)
 * @param dir where data, logs and trust material go (created)
 * @param distribution the distribution to run
 * @param network how nodes are networked
 * @param serverFlags extra {@code raftmesh server} flags for every node
 * @param startTimeout how long the cluster may take to elect a leader and install its issuer
 */
public record ClusterOptions(
    int size,
    Path dir,
    Distribution distribution,
    NetworkMode network,
    List<String> serverFlags,
    Duration startTimeout) {

  /** How the nodes are connected. */
  public enum NetworkMode {
    /** Namespaces when they can be made here (root, ip, nft or iptables), else loopback. */
    AUTO,
    /** A network namespace per node on a private bridge: partitions and packet loss work. */
    NAMESPACES,
    /**
     * Loopback addresses, with a fault bridge in front of each node's Raft port: delay works,
     * partitions and loss do not.
     */
    LOOPBACK
  }

  /** Validates and copies. */
  public ClusterOptions {
    requireNonNull(dir, "dir");
    requireNonNull(distribution, "distribution");
    requireNonNull(network, "network");
    requireNonNull(startTimeout, "startTimeout");
    serverFlags = List.copyOf(serverFlags);
    if (size < 1 || size > 9) {
      throw new IllegalArgumentException("size: " + size + " (expected: 1..9)");
    }
  }

  /** {@code size} nodes, AUTO network, no extra flags, two minutes to start. */
  public static ClusterOptions of(int size, Path dir, Distribution distribution) {
    return new ClusterOptions(
        size, dir, distribution, NetworkMode.AUTO, List.of(), Duration.ofMinutes(2));
  }

  /** This with another network mode. */
  public ClusterOptions withNetwork(NetworkMode mode) {
    return new ClusterOptions(size, dir, distribution, mode, serverFlags, startTimeout);
  }

  /** This with more server flags. */
  public ClusterOptions withServerFlags(List<String> flags) {
    List<String> all = new ArrayList<>(serverFlags);
    all.addAll(flags);
    return new ClusterOptions(size, dir, distribution, network, all, startTimeout);
  }

  /** The node ids {@code n1..n<size>}. */
  public List<String> nodeIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      ids.add("n" + i);
    }
    return ids;
  }
}
