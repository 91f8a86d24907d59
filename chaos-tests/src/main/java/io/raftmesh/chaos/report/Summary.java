package io.raftmesh.chaos.report;

import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.validate.Validity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one-line verdict per workload: {@code register: valid (1,842 ops, 7 partitions, 3 kills)}.
 */
public final class Summary {
  private static final Map<String, String[]> NOUNS = new LinkedHashMap<>();

  static {
    NOUNS.put("partition", new String[] {"partition", "partitions"});
    NOUNS.put("kill", new String[] {"kill", "kills"});
    NOUNS.put("pause", new String[] {"pause", "pauses"});
    NOUNS.put("restart-all", new String[] {"full restart", "full restarts"});
    NOUNS.put("slow-network", new String[] {"slow network", "slow networks"});
    NOUNS.put("lossy-network", new String[] {"lossy network", "lossy networks"});
  }

  private Summary() {}

  /** The overall verdict: the worst of the results (VALID for none). */
  public static Validity verdict(List<CheckResult> results) {
    Validity v = Validity.VALID;
    for (CheckResult r : results) {
      v = v.and(r.validity());
    }
    return v;
  }

  /**
   * The summary line of one workload: its verdict, its client operations, and how often each fault
   * was started.
   */
  public static String line(String workload, List<CheckResult> results, History history) {
    List<String> parts = new ArrayList<>();
    if (workload.equals("traffic")) {
      // The traffic workload's unit is a request between services (plus a few final checks).
      long requests = history.clientOperations(java.util.Set.of("request")).size();
      parts.add(CheckResult.grouped(requests) + (requests == 1 ? " request" : " requests"));
    } else {
      long ops = history.clientOperations().size();
      parts.add(CheckResult.grouped(ops) + (ops == 1 ? " op" : " ops"));
    }
    Map<String, Long> starts = faultStarts(history);
    NOUNS.forEach(
        (kind, noun) -> {
          long n = starts.getOrDefault(kind, 0L);
          if (n > 0) {
            parts.add(CheckResult.grouped(n) + " " + (n == 1 ? noun[0] : noun[1]));
          }
        });
    starts.forEach(
        (kind, n) -> {
          if (!NOUNS.containsKey(kind)) {
            parts.add(CheckResult.grouped(n) + " " + kind);
          }
        });
    return workload + ": " + verdict(results).label() + " (" + String.join(", ", parts) + ")";
  }

  /** How many times each fault kind was started, by label. */
  public static Map<String, Long> faultStarts(History history) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Operation op : history.nemesisOperations()) {
      if (op.f().startsWith("start-")) {
        out.merge(op.f().substring("start-".length()).toLowerCase(Locale.ROOT), 1L, Long::sum);
      }
    }
    return out;
  }
}
