package io.raftmesh.chaos.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Static stability: requests between two services through their agents' proxies must all succeed,
 * above all while every control server is down (the data plane does not depend on the control
 * plane), and after the heal every agent must have applied the store's final revision.
 *
 * <p>Reads, from the history: client operations {@code request} (ok = the call through the mesh
 * answered 200 with the backend's reply), {@code converge} (key = the agent, with {@code
 * {"applied": A, "marker": M, "store": S}}: the revision the agent applied, the revision of the
 * harness's last config write after the heal, the store's revision then; converged when {@code A >=
 * M}), and the nemesis's {@code start-kill}/{@code stop-kill} operations. An <em>outage</em> runs
 * from the completion of a {@code start-kill} that names every node to the invocation of the next
 * {@code stop-kill}: only requests entirely inside it count as made while no server ran.
 *
 * <p>Anomalies: {@code outage-failure} (a request failed while every server was down), {@code
 * failure} (any other failed or unknown request, beyond {@code tolerance}), {@code not-converged}
 * (an agent did not reach the final revision). UNKNOWN when outages were scheduled but no request
 * fell inside one (the property was not exercised).
 */
public final class TrafficChecker {
  private TrafficChecker() {}

  /** An outage window, nanoseconds since the history started. */
  record Window(long start, long end) {
    boolean contains(Operation op) {
      return op.invokeTime() >= start && op.isCompleted() && op.completeTime() <= end;
    }
  }

  /**
   * Checks {@code history} of a cluster of {@code nodes}.
   *
   * @param tolerance failed requests allowed outside outages (0 unless a fault legitimately breaks
   *     a data-plane connection)
   */
  public static CheckResult check(History history, Set<String> nodes, long tolerance) {
    CheckResult.Builder b = new CheckResult.Builder("traffic");
    List<Window> outages = outages(history, nodes);
    long requests = 0;
    long ok = 0;
    long failed = 0;
    long inOutage = 0;
    long failedInOutage = 0;
    List<Anomaly> others = new ArrayList<>();
    for (Operation op : history.clientOperations(Set.of("request"))) {
      requests++;
      boolean during = outages.stream().anyMatch(w -> w.contains(op));
      if (during) {
        inOutage++;
      }
      if (op.isOk()) {
        ok++;
        continue;
      }
      failed++;
      String what = op.describe() + (op.error() == null ? "" : ": " + op.error());
      if (during) {
        failedInOutage++;
        b.violation(Anomaly.of("outage-failure", "failed while every server was down: " + what));
      } else {
        others.add(Anomaly.of("failure", what));
      }
    }
    if (failed - failedInOutage > tolerance) {
      others.forEach(b::violation);
    } else if (!others.isEmpty()) {
      b.note(others.size() + " failed request(s) outside outages, within the tolerance");
    }
    long agents = 0;
    long converged = 0;
    for (Operation op : history.clientOperations(Set.of("converge"))) {
      agents++;
      JsonNode out = op.output();
      boolean reached =
          op.isOk()
              && out != null
              && out.path("marker").asLong(-1) > 0
              && out.path("applied").asLong(-1) >= out.path("marker").asLong();
      if (reached) {
        converged++;
      } else {
        b.violation(
            Anomaly.of(
                "not-converged",
                "agent "
                    + op.key()
                    + " did not apply the final revision: "
                    + (out == null ? String.valueOf(op.error()) : out.toString())));
      }
    }
    if (agents == 0) {
      b.unknown("no convergence check recorded");
    }
    if (!outages.isEmpty() && inOutage == 0) {
      b.unknown("no request ran entirely inside an outage of every server");
    }
    return b.count("requests", requests)
        .count("ok", ok)
        .count("failed", failed)
        .count("outages", outages.size())
        .count("outage-requests", inOutage)
        .count("outage-failed", failedInOutage)
        .count("agents", agents)
        .count("converged", converged)
        .build();
  }

  /** Windows during which every one of {@code nodes} was killed. */
  static List<Window> outages(History history, Set<String> nodes) {
    List<Window> out = new ArrayList<>();
    long start = -1;
    for (Operation op : history.nemesisOperations()) {
      if (op.f().equals("start-kill")
          && op.isCompleted()
          && op.error() == null
          && killsAll(op.input(), nodes)) {
        start = op.completeTime();
      } else if ((op.f().equals("stop-kill") || op.f().equals("heal-all")) && start >= 0) {
        out.add(new Window(start, op.invokeTime()));
        start = -1;
      }
    }
    if (start >= 0) {
      out.add(new Window(start, history.endTime()));
    }
    return out;
  }

  private static boolean killsAll(@Nullable JsonNode input, Set<String> nodes) {
    if (input == null || !input.path("nodes").isArray()) {
      return false;
    }
    Set<String> killed = new java.util.HashSet<>();
    input.path("nodes").forEach(n -> killed.add(n.asText()));
    return killed.containsAll(nodes);
  }
}
