package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A checker's verdict with what it counted, the violations it found, and notes (for instance why
 * the verdict is unknown).
 *
 * @param checker the checker's name (e.g. {@code register})
 * @param validity the verdict
 * @param counts named counts in a stable order (e.g. {@code ops}, {@code lost})
 * @param anomalies violations, at most {@link #MAX_ANOMALIES}; {@code counts} holds the totals
 * @param notes remarks that are not violations
 */
@JsonPropertyOrder({"checker", "validity", "counts", "anomalies", "notes"})
public record CheckResult(
    String checker,
    Validity validity,
    Map<String, Long> counts,
    List<Anomaly> anomalies,
    List<String> notes) {

  /** Violations kept in full per result; further ones are only counted. */
  public static final int MAX_ANOMALIES = 50;

  /** Copies the collections, keeping the order of {@code counts}. */
  public CheckResult {
    requireNonNull(checker, "checker");
    requireNonNull(validity, "validity");
    counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    anomalies = List.copyOf(anomalies.subList(0, Math.min(anomalies.size(), MAX_ANOMALIES)));
    notes = List.copyOf(notes);
  }

  /** Whether the verdict is VALID. */
  public boolean isValid() {
    return validity == Validity.VALID;
  }

  /** A count by name, 0 when absent. */
  public long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  /** Anomalies of one kind. */
  public List<Anomaly> anomalies(String kind) {
    List<Anomaly> out = new ArrayList<>();
    for (Anomaly a : anomalies) {
      if (a.kind().equals(kind)) {
        out.add(a);
      }
    }
    return out;
  }

  /** {@code valid (ops=1,842, keys=10)}: the verdict and every count. */
  public String summary() {
    StringBuilder b = new StringBuilder(validity.label()).append(" (");
    String sep = "";
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      b.append(sep).append(e.getKey()).append('=').append(grouped(e.getValue()));
      sep = ", ";
    }
    return b.append(')').toString();
  }

  /** 1842 as {@code 1,842}. */
  public static String grouped(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Collects counts and anomalies while a checker runs. */
  static final class Builder {
    private final String checker;
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final List<Anomaly> anomalies = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private Validity validity = Validity.VALID;

    Builder(String checker) {
      this.checker = checker;
    }

    Builder count(String name, long n) {
      counts.put(name, n);
      return this;
    }

    /** Records a violation: the verdict becomes INVALID and the anomaly is kept if room remains. */
    Builder violation(Anomaly a) {
      validity = Validity.INVALID;
      if (anomalies.size() < MAX_ANOMALIES) {
        anomalies.add(a);
      }
      return this;
    }

    Builder unknown(String why) {
      validity = validity.and(Validity.UNKNOWN);
      notes.add(why);
      return this;
    }

    Builder note(String note) {
      notes.add(note);
      return this;
    }

    CheckResult build() {
      return new CheckResult(checker, validity, counts, anomalies, notes);
    }
  }
}
