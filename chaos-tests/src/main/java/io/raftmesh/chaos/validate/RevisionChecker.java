package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the store's global revision in real time, across all keys: an operation that began after
 * another completed never reports a lower revision, and a write that began after another operation
 * completed reports a strictly higher one; two acknowledged writes never share a revision.
 *
 * <p>Only operations that ended ok and carry a revision are considered. Operations that overlap in
 * real time (including ones that touch at an endpoint) may report revisions in either order.
 */
public final class RevisionChecker {
  private final Set<String> mutating;

  private RevisionChecker(Set<String> mutating) {
    this.mutating = Set.copyOf(mutating);
  }

  /** A checker where operations with these functions create a revision (e.g. write, cas). */
  public static RevisionChecker withMutatingFunctions(Set<String> mutating) {
    return new RevisionChecker(requireNonNull(mutating, "mutating"));
  }

  /** Checks every client operation of {@code history} that carries a revision. */
  public CheckResult check(History history) {
    List<Operation> ops = new ArrayList<>();
    for (Operation op : history.clientOperations()) {
      if (op.isOk() && op.revision() != null) {
        ops.add(op);
      }
    }
    CheckResult.Builder result = new CheckResult.Builder("revision");
    result.count("ops", ops.size());
    long backwards = 0;
    long notAdvanced = 0;
    List<Operation> byCompletion = new ArrayList<>(ops);
    byCompletion.sort(Comparator.comparingLong(Operation::completeTime));
    List<Operation> byInvoke = new ArrayList<>(ops);
    byInvoke.sort(Comparator.comparingLong(Operation::invokeTime));
    int done = 0;
    Operation highest = null;
    for (Operation b : byInvoke) {
      while (done < byCompletion.size() && byCompletion.get(done).completeTime() < b.invokeTime()) {
        Operation a = byCompletion.get(done++);
        if (highest == null || rev(a) > rev(highest)) {
          highest = a;
        }
      }
      if (highest == null) {
        continue;
      }
      boolean writes = mutating.contains(b.f());
      if (rev(b) < rev(highest)) {
        backwards++;
        result.violation(
            Anomaly.of(
                "revision-backwards",
                "revision went back from "
                    + rev(highest)
                    + " to "
                    + rev(b)
                    + ": "
                    + b.describe()
                    + " began after "
                    + highest.describe()
                    + " completed"));
      } else if (writes && rev(b) == rev(highest)) {
        notAdvanced++;
        result.violation(
            Anomaly.of(
                "revision-not-advanced",
                "write reported revision "
                    + rev(b)
                    + ", already reported before it began: "
                    + b.describe()
                    + " began after "
                    + highest.describe()
                    + " completed"));
      }
    }
    long reused = 0;
    Map<Long, Operation> writers = new HashMap<>();
    for (Operation op : byInvoke) {
      if (!mutating.contains(op.f())) {
        continue;
      }
      Operation other = writers.putIfAbsent(rev(op), op);
      if (other != null) {
        reused++;
        result.violation(
            Anomaly.of(
                "revision-reused",
                "two writes reported revision "
                    + rev(op)
                    + ": "
                    + other.describe()
                    + " and "
                    + op.describe()));
      }
    }
    return result
        .count("backwards", backwards)
        .count("not-advanced", notAdvanced)
        .count("reused", reused)
        .build();
  }

  private static long rev(Operation op) {
    return requireNonNull(op.revision(), "revision");
  }
}
