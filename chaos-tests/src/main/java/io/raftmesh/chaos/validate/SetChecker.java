package io.raftmesh.chaos.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the set workload (Jepsen's set-full, simplified): unique elements are added with {@code
 * add} (invocation value: the element); {@code read} returns every element (ok completion value: an
 * array of strings). The last ok read by invocation time is the final read.
 *
 * <ul>
 *   <li>every acknowledged add is in the final read ({@code lost} otherwise);
 *   <li>nothing is read that was never attempted ({@code unexpected}), and no failed add is ever
 *       read ({@code failed-present}: a failed add must not take effect);
 *   <li>an add with unknown outcome may or may not be present ({@code recovered-unknown} counts
 *       those present);
 *   <li>every read contains each add acknowledged before the read began ({@code stale}), and no
 *       read contains an element whose add began after the read completed ({@code future}).
 * </ul>
 */
public final class SetChecker {
  private SetChecker() {}

  private enum Fate {
    OK,
    UNKNOWN,
    FAILED
  }

  private record Attempt(Fate fate, Operation op) {}

  /** Checks the set operations of {@code history}. */
  public static CheckResult check(History history) {
    CheckResult.Builder result = new CheckResult.Builder("set");
    Map<String, Attempt> attempts = new LinkedHashMap<>();
    List<Operation> reads = new ArrayList<>();
    for (Operation op : history.clientOperations(Set.of("add", "read"))) {
      if (op.f().equals("read")) {
        if (op.isOk()) {
          reads.add(op);
        }
        continue;
      }
      if (op.input() == null || op.input().isNull()) {
        throw new IllegalArgumentException(
            "operation " + op.describe() + ": value: null (expected: the added element)");
      }
      String element = op.input().asText();
      Fate fate = op.isOk() ? Fate.OK : op.isUnknown() ? Fate.UNKNOWN : Fate.FAILED;
      attempts.merge(
          element, new Attempt(fate, op), (a, b) -> a.fate().compareTo(b.fate()) <= 0 ? a : b);
    }
    result.count("attempted", attempts.size());
    if (reads.isEmpty()) {
      return result.unknown("no ok read: nothing to check the adds against").build();
    }
    Operation finalRead = reads.get(reads.size() - 1);
    for (Operation read : reads) {
      if (read.invokeTime() > finalRead.invokeTime()) {
        finalRead = read;
      }
    }
    Set<String> present = elements(finalRead);
    long ok = 0;
    long lost = 0;
    long recovered = 0;
    long unknownAbsent = 0;
    for (Map.Entry<String, Attempt> e : attempts.entrySet()) {
      Attempt a = e.getValue();
      boolean in = present.contains(e.getKey());
      if (a.fate() == Fate.OK && in) {
        ok++;
      } else if (a.fate() == Fate.OK) {
        lost++;
        result.violation(
            Anomaly.of(
                "lost",
                "acknowledged add "
                    + e.getKey()
                    + " is missing from the final read "
                    + finalRead.describe()
                    + "; add: "
                    + a.op().describe()));
      } else if (a.fate() == Fate.UNKNOWN) {
        recovered += in ? 1 : 0;
        unknownAbsent += in ? 0 : 1;
      }
    }
    long unexpected = 0;
    long failedPresent = 0;
    long stale = 0;
    long future = 0;
    for (Operation read : reads) {
      Set<String> seen = elements(read);
      for (String element : seen) {
        Attempt a = attempts.get(element);
        if (a == null) {
          unexpected++;
          result.violation(
              Anomaly.of(
                  "unexpected",
                  "element " + element + " was never added, yet read by " + read.describe()));
        } else if (a.fate() == Fate.FAILED) {
          failedPresent++;
          result.violation(
              Anomaly.of(
                  "failed-present",
                  "element "
                      + element
                      + " whose add failed was read by "
                      + read.describe()
                      + "; add: "
                      + a.op().describe()));
        } else if (a.op().invokeTime() > read.completeTime()) {
          future++;
          result.violation(
              Anomaly.of(
                  "future",
                  "element "
                      + element
                      + " was read by "
                      + read.describe()
                      + " before its add began: "
                      + a.op().describe()));
        }
      }
      if (read.invokeIndex() == finalRead.invokeIndex()) {
        continue; // its missing acknowledged adds are already counted as lost
      }
      for (Map.Entry<String, Attempt> e : attempts.entrySet()) {
        Attempt a = e.getValue();
        if (a.fate() == Fate.OK
            && a.op().completeTime() < read.invokeTime()
            && !seen.contains(e.getKey())) {
          stale++;
          result.violation(
              Anomaly.of(
                  "stale",
                  "read "
                      + read.describe()
                      + " misses "
                      + e.getKey()
                      + ", acknowledged before it began: "
                      + a.op().describe()));
        }
      }
    }
    return result
        .count("ok", ok)
        .count("lost", lost)
        .count("unexpected", unexpected)
        .count("failed-present", failedPresent)
        .count("recovered-unknown", recovered)
        .count("unknown-absent", unknownAbsent)
        .count("stale", stale)
        .count("future", future)
        .count("reads", reads.size())
        .build();
  }

  private static Set<String> elements(Operation read) {
    JsonNode v = read.output();
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException(
          "operation " + read.describe() + ": value: " + v + " (expected: an array of elements)");
    }
    Set<String> out = new TreeSet<>();
    for (JsonNode n : v) {
      out.add(n.asText());
    }
    return out;
  }
}
