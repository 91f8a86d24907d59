package io.raftmesh.chaos.net;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A network partition as Jepsen writes it: for each node, the set of nodes whose packets it drops.
 * A grudge need not be symmetric: {@code a} dropping {@code b} cuts only {@code b -> a} packets
 * (which breaks TCP both ways, but not UDP or ICMP the other way).
 *
 * <p>The random constructors take a {@link Random} so a seeded schedule replays exactly.
 */
public final class Grudge {
  private final Map<String, Set<String>> drops;

  private Grudge(Map<String, Set<String>> drops) {
    Map<String, Set<String>> copy = new TreeMap<>();
    drops.forEach(
        (node, from) -> {
          if (!from.isEmpty()) {
            copy.put(node, Collections.unmodifiableSet(new TreeSet<>(from)));
          }
        });
    this.drops = Collections.unmodifiableMap(copy);
  }

  /** A grudge from an explicit map (node to the nodes it drops). */
  public static Grudge of(Map<String, ? extends Collection<String>> drops) {
    Map<String, Set<String>> m = new TreeMap<>();
    drops.forEach(
        (node, from) -> {
          if (from.contains(node)) {
            throw new IllegalArgumentException(
                "drops[" + node + "]: " + from + " (expected: a node never drops itself)");
          }
          m.put(requireNonNull(node, "node"), new TreeSet<>(from));
        });
    return new Grudge(m);
  }

  /** No partition. */
  public static Grudge none() {
    return new Grudge(Map.of());
  }

  /** Each node drops every node outside its own component (Jepsen's complete-grudge). */
  public static Grudge complete(List<? extends Collection<String>> components) {
    Set<String> all = new TreeSet<>();
    components.forEach(all::addAll);
    Map<String, Set<String>> m = new TreeMap<>();
    for (Collection<String> component : components) {
      for (String node : component) {
        Set<String> others = new TreeSet<>(all);
        others.removeAll(component);
        m.put(node, others);
      }
    }
    return new Grudge(m);
  }

  /** {@code node} and the rest cannot reach each other. */
  public static Grudge isolate(String node, Collection<String> nodes) {
    requireNonNull(node, "node");
    if (!nodes.contains(node)) {
      throw new IllegalArgumentException("node: " + node + " (expected: one of " + nodes + ")");
    }
    List<String> rest = new ArrayList<>(nodes);
    rest.remove(node);
    return complete(List.of(List.of(node), rest));
  }

  /** One random node is cut off from the others (Jepsen's partition-random-node). */
  public static Grudge randomNode(List<String> nodes, Random random) {
    requireNonEmpty(nodes);
    return isolate(nodes.get(random.nextInt(nodes.size())), nodes);
  }

  /** Two halves of a random shuffle, the smaller first (Jepsen's partition-random-halves). */
  public static Grudge randomHalves(List<String> nodes, Random random) {
    requireNonEmpty(nodes);
    List<String> shuffled = shuffled(nodes, random);
    int half = shuffled.size() / 2;
    return complete(List.of(shuffled.subList(0, half), shuffled.subList(half, shuffled.size())));
  }

  /**
   * Every node sees a majority, but no two nodes see the same majority (Jepsen's
   * majorities-ring-perfect): the nodes are placed on a random ring, and each node keeps only the
   * majority-sized window centred on it.
   */
  public static Grudge majoritiesRing(List<String> nodes, Random random) {
    requireNonEmpty(nodes);
    List<String> ring = shuffled(nodes, random);
    int n = ring.size();
    int m = n / 2 + 1;
    Map<String, Set<String>> out = new TreeMap<>();
    for (int start = 0; start < n; start++) {
      Set<String> window = new LinkedHashSet<>();
      for (int k = 0; k < m; k++) {
        window.add(ring.get((start + k) % n));
      }
      String centre = ring.get((start + m / 2) % n);
      Set<String> dropped = new TreeSet<>(ring);
      dropped.removeAll(window);
      out.put(centre, dropped);
    }
    return new Grudge(out);
  }

  /**
   * Two halves with one node in between that reaches both (Jepsen's bridge): after a random
   * shuffle, the first node of the second half is the bridge.
   */
  public static Grudge bridge(List<String> nodes, Random random) {
    if (nodes.size() < 3) {
      throw new IllegalArgumentException(
          "nodes: " + nodes + " (expected: at least 3 for a bridge)");
    }
    List<String> shuffled = shuffled(nodes, random);
    int half = shuffled.size() / 2;
    List<String> left = shuffled.subList(0, half);
    List<String> right = shuffled.subList(half, shuffled.size());
    String bridge = right.get(0);
    Map<String, Set<String>> m = new TreeMap<>(complete(List.of(left, right)).drops);
    Map<String, Set<String>> out = new TreeMap<>();
    m.forEach(
        (node, from) -> {
          Set<String> s = new TreeSet<>(from);
          s.remove(bridge);
          out.put(node, s);
        });
    out.remove(bridge);
    return new Grudge(out);
  }

  /** {@code receivers} drop packets from {@code senders}; the other direction is untouched. */
  public static Grudge oneWay(Collection<String> receivers, Collection<String> senders) {
    Map<String, Set<String>> m = new TreeMap<>();
    for (String r : receivers) {
      Set<String> from = new TreeSet<>(senders);
      from.remove(r);
      m.put(r, from);
    }
    return new Grudge(m);
  }

  /** This grudge plus its mirror: whenever a drops b, b also drops a. */
  public Grudge symmetric() {
    Map<String, Set<String>> m = new TreeMap<>();
    drops.forEach(
        (node, from) -> {
          m.computeIfAbsent(node, k -> new TreeSet<>()).addAll(from);
          for (String f : from) {
            m.computeIfAbsent(f, k -> new TreeSet<>()).add(node);
          }
        });
    return new Grudge(m);
  }

  /** The nodes {@code node} drops packets from (empty if none). */
  public Set<String> drops(String node) {
    return drops.getOrDefault(node, Set.of());
  }

  /** The whole map, nodes with no drops left out. */
  public Map<String, Set<String>> asMap() {
    return drops;
  }

  /** Whether this grudge drops nothing. */
  public boolean isEmpty() {
    return drops.isEmpty();
  }

  /** Whether packets from {@code from} reach {@code to}. */
  public boolean reaches(String from, String to) {
    return !drops(to).contains(from);
  }

  private static List<String> shuffled(List<String> nodes, Random random) {
    List<String> s = new ArrayList<>(new TreeSet<>(nodes)); // sorted first: order-independent
    Collections.shuffle(s, random);
    return s;
  }

  private static void requireNonEmpty(List<String> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("nodes: [] (expected: at least one node)");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Grudge g && g.drops.equals(drops);
  }

  @Override
  public int hashCode() {
    return drops.hashCode();
  }

  @Override
  public String toString() {
    return drops.toString();
  }
}
