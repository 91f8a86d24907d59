package io.raftmesh.chaos.failpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Which nodes a kill or pause hits (Jepsen's db-nodes targets). */
public enum Targets {
  /** One random node. */
  ONE,
  /** Whoever leads when the fault starts (resolved at run time). */
  LEADER,
  /** A random minority (at least one node). */
  MINORITY,
  /** A random majority. */
  MAJORITY,
  /** Every node. */
  ALL;

  /**
   * Picks the nodes with {@code random}; {@link #LEADER} picks nothing here (the nemesis asks the
   * cluster when it applies the fault).
   */
  public List<String> pick(List<String> nodes, Random random) {
    List<String> s = new ArrayList<>(nodes);
    Collections.shuffle(s, random);
    int n = nodes.size();
    return switch (this) {
      case ONE -> List.copyOf(s.subList(0, 1));
      case LEADER -> List.of();
      case MINORITY -> List.copyOf(s.subList(0, 1 + random.nextInt(Math.max(1, (n - 1) / 2))));
      case MAJORITY -> List.copyOf(s.subList(0, n / 2 + 1));
      case ALL -> List.copyOf(nodes);
    };
  }

  /** The name used in logs. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
