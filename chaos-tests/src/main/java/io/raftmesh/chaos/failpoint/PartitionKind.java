package io.raftmesh.chaos.failpoint;

import io.raftmesh.chaos.net.Grudge;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** The partition shapes Jepsen schedules, built from a seeded random source. */
public enum PartitionKind {
  /** A random minority and majority. */
  RANDOM_HALVES,
  /** One random node alone. */
  ISOLATE_ONE,
  /** Every node sees a different majority. */
  MAJORITIES_RING,
  /** Two halves joined by one node. */
  BRIDGE,
  /** One random node stops receiving from all others, but they still receive from it. */
  ONE_WAY;

  /** The grudge for these nodes. */
  public Grudge grudge(List<String> nodes, Random random) {
    return switch (this) {
      case RANDOM_HALVES -> Grudge.randomHalves(nodes, random);
      case ISOLATE_ONE -> Grudge.randomNode(nodes, random);
      case MAJORITIES_RING -> Grudge.majoritiesRing(nodes, random);
      case BRIDGE -> Grudge.bridge(nodes, random);
      case ONE_WAY -> Grudge.oneWay(List.of(nodes.get(random.nextInt(nodes.size()))), nodes);
    };
  }

  /** The name used in logs: {@code majorities-ring}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
