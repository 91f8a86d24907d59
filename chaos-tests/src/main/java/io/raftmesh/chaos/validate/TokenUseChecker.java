package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a join token is used at most as often as it allows (once, for a one-use token),
 * across failovers. Uses are operations with function {@code enroll} whose key is the token id: an
 * ok enrollment is a use, an unknown one may be. The final state's count of nodes enrolled with
 * each token (when known) must also stay within the limit and include every acknowledged use.
 */
public final class TokenUseChecker {
  /** The function of enrollment operations. */
  public static final String ENROLL = "enroll";

  private TokenUseChecker() {}

  /**
   * Checks the enrollments of {@code history}.
   *
   * @param maxUses the allowed uses per token; tokens not listed allow one use
   * @param observedUses uses per token found in the final state (empty when not taken)
   */
  public static CheckResult check(
      History history, Map<String, Integer> maxUses, Map<String, Integer> observedUses) {
    requireNonNull(maxUses, "maxUses");
    requireNonNull(observedUses, "observedUses");
    CheckResult.Builder result = new CheckResult.Builder("tokens");
    Map<String, long[]> uses = new TreeMap<>(); // token -> {ok, unknown}
    long attempts = 0;
    for (Operation op : history.clientOperations(Set.of(ENROLL))) {
      attempts++;
      String token = op.key();
      if (token == null) {
        throw new IllegalArgumentException(
            "operation " + op.describe() + ": key: null (expected: the token id)");
      }
      long[] u = uses.computeIfAbsent(token, t -> new long[2]);
      u[0] += op.isOk() ? 1 : 0;
      u[1] += op.isUnknown() ? 1 : 0;
    }
    long overused = 0;
    long unrecorded = 0;
    for (Map.Entry<String, long[]> e : uses.entrySet()) {
      String token = e.getKey();
      int max = maxUses.getOrDefault(token, 1);
      long ok = e.getValue()[0];
      Integer observed = observedUses.get(token);
      if (ok > max) {
        overused++;
        result.violation(
            Anomaly.of(
                "overused",
                "token "
                    + token
                    + " allows "
                    + max
                    + " uses, "
                    + ok
                    + " enrollments with it were acknowledged"));
      } else if (observed != null && observed > max) {
        overused++;
        result.violation(
            Anomaly.of(
                "overused",
                "token "
                    + token
                    + " allows "
                    + max
                    + " uses, the final state"
                    + " shows "
                    + observed));
      }
      if (observed != null && observed < ok) {
        unrecorded++;
        result.violation(
            Anomaly.of(
                "unrecorded",
                "token "
                    + token
                    + ": "
                    + ok
                    + " acknowledged uses but the"
                    + " final state shows "
                    + observed));
      }
    }
    for (Map.Entry<String, Integer> e : observedUses.entrySet()) {
      if (!uses.containsKey(e.getKey()) && e.getValue() > maxUses.getOrDefault(e.getKey(), 1)) {
        overused++;
        result.violation(
            Anomaly.of(
                "overused",
                "token " + e.getKey() + " shows " + e.getValue() + " uses in the final state"));
      }
    }
    return result
        .count("enrollments", attempts)
        .count("tokens", uses.size())
        .count("overused", overused)
        .count("unrecorded", unrecorded)
        .build();
  }
}
