package io.raftmesh.chaos.report;

import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A period during which one fault was in force, taken from the nemesis operations of a history:
 * from a {@code start-X} invocation to the completion of the next {@code stop-X} (or of {@code
 * heal-all}, or the end of the history). Instant faults span their own operation.
 *
 * @param kind the fault's label, e.g. {@code partition}
 * @param start nanoseconds since the history started
 * @param end nanoseconds since the history started
 */
public record FaultWindow(String kind, long start, long end) {

  /** Every fault window of {@code history}, ordered by start. */
  public static List<FaultWindow> of(History history) {
    List<FaultWindow> out = new ArrayList<>();
    Map<String, Long> open = new LinkedHashMap<>();
    for (Operation op : history.nemesisOperations()) {
      long end = op.isCompleted() ? op.completeTime() : history.endTime();
      if (op.f().equals("heal-all")) {
        open.forEach((k, s) -> out.add(new FaultWindow(k, s, end)));
        open.clear();
      } else if (op.f().startsWith("start-")) {
        String kind = op.f().substring("start-".length());
        if (kind.equals("restart-all")) {
          out.add(new FaultWindow(kind, op.invokeTime(), end));
        } else {
          open.putIfAbsent(kind, op.invokeTime());
        }
      } else if (op.f().startsWith("stop-")) {
        Long s = open.remove(op.f().substring("stop-".length()));
        if (s != null) {
          out.add(new FaultWindow(op.f().substring("stop-".length()), s, end));
        }
      }
    }
    open.forEach((k, s) -> out.add(new FaultWindow(k, s, history.endTime())));
    out.sort(java.util.Comparator.comparingLong(FaultWindow::start));
    return out;
  }
}
