package io.raftmesh.chaos.cluster;

import io.raftmesh.chaos.failpoint.FaultKind;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which faults a cluster can inject here. A fault it cannot inject carries the reason, so tests
 * skip it with a message rather than pretend it ran.
 *
 * @param missing fault kind to the reason it is unavailable
 */
public record Capabilities(Map<FaultKind, String> missing) {
  /** Copies the map. */
  public Capabilities {
    missing = Map.copyOf(missing);
  }

  /** Every fault available. */
  public static Capabilities all() {
    return new Capabilities(new EnumMap<>(FaultKind.class));
  }

  /** This, with {@code kind} unavailable for {@code reason}. */
  public Capabilities without(FaultKind kind, String reason) {
    Map<FaultKind, String> m = new EnumMap<>(FaultKind.class);
    m.putAll(missing);
    m.put(kind, reason);
    return new Capabilities(m);
  }

  /** Whether {@code kind} can be injected. */
  public boolean supports(FaultKind kind) {
    return !missing.containsKey(kind);
  }

  /** The kinds of {@code wanted} this cluster supports. */
  public Set<FaultKind> supported(Set<FaultKind> wanted) {
    Set<FaultKind> out = EnumSet.noneOf(FaultKind.class);
    for (FaultKind k : wanted) {
      if (supports(k)) {
        out.add(k);
      }
    }
    return out;
  }
}
