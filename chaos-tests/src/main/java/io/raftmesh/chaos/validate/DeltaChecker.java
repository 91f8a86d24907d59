package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.model.Change;
import io.raftmesh.chaos.model.ChangeLog;
import io.raftmesh.chaos.model.Delta;
import io.raftmesh.chaos.model.DeltaStream;
import io.raftmesh.chaos.model.StoreSnapshot;
import io.raftmesh.chaos.model.SubscriberLog;
import io.raftmesh.chaos.model.Upsert;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks what delta subscribers received against the reference sequence of committed changes, as
 * etcd's robustness suite checks watches (validate/watch.go). Per subscriber, across reconnects:
 *
 * <ul>
 *   <li><b>ordered</b>: revisions strictly increase ({@code out-of-order});
 *   <li><b>unique</b>: no revision range is delivered twice ({@code duplicate});
 *   <li><b>atomic</b>: a revision's changes are never split across deltas ({@code split-revision});
 *   <li><b>reliable</b>: each delta chains to the previous one ({@code gap}) and holds exactly the
 *       folded reference changes of its range ({@code missing-change}, {@code phantom-change},
 *       {@code wrong-value}); a reset holds exactly the state at its revision ({@code
 *       reset-mismatch}, {@code unexpected-reset} when not first on its stream);
 *   <li><b>resumable</b>: a stream resumed from R starts right after R ({@code not-resumable}), and
 *       the subscriber resumes from the last revision it applied ({@code resume-mismatch});
 *   <li><b>convergent</b>: the state built from the deltas equals the final read ({@code
 *       final-state-mismatch}), and no relevant change is missing at the end ({@code lagging}).
 * </ul>
 *
 * The final read itself must agree with the reference ({@code reference-mismatch}).
 */
public final class DeltaChecker {
  private final ChangeLog reference;
  private final StoreSnapshot finalRead;
  private final CheckResult.Builder result = new CheckResult.Builder("deltas");
  private final Map<String, Long> kinds = new TreeMap<>();

  private DeltaChecker(ChangeLog reference, StoreSnapshot finalRead) {
    this.reference = reference;
    this.finalRead = finalRead;
  }

  /** Checks every subscriber against the reference changes and the final read. */
  public static CheckResult check(
      ChangeLog reference, StoreSnapshot finalRead, List<SubscriberLog> subscribers) {
    DeltaChecker c =
        new DeltaChecker(
            requireNonNull(reference, "reference"), requireNonNull(finalRead, "final"));
    return c.run(requireNonNull(subscribers, "subscribers"));
  }

  private CheckResult run(List<SubscriberLog> subscribers) {
    if (finalRead.revision() <= reference.lastRevision()) {
      Map<String, Upsert> expected = reference.stateAt(finalRead.revision());
      if (!expected.equals(new TreeMap<>(finalRead.values()))) {
        flag(
            "reference-mismatch",
            "final read at revision "
                + finalRead.revision()
                + " differs from the committed changes: "
                + diff(expected, finalRead.values()));
      }
    } else {
      result.note(
          "final read revision "
              + finalRead.revision()
              + " is beyond the reference log (last "
              + reference.lastRevision()
              + ")");
    }
    long streams = 0;
    long deltas = 0;
    long resets = 0;
    long converged = 0;
    for (SubscriberLog s : subscribers) {
      SubscriberState st = new SubscriberState(s);
      for (DeltaStream stream : s.streams()) {
        streams++;
        deltas += stream.deltas().size();
        for (Delta d : stream.deltas()) {
          resets += d.reset() ? 1 : 0;
        }
        st.consume(stream);
      }
      converged += st.finish() ? 1 : 0;
    }
    result
        .count("subscribers", subscribers.size())
        .count("streams", streams)
        .count("deltas", deltas)
        .count("resets", resets)
        .count("converged", converged);
    kinds.forEach(result::count);
    return result.build();
  }

  private void flag(String kind, String message) {
    kinds.merge(kind, 1L, Long::sum);
    result.violation(Anomaly.of(kind, message));
  }

  private static Map<String, Upsert> filter(Map<String, Upsert> state, SubscriberLog s) {
    Map<String, Upsert> out = new TreeMap<>();
    state.forEach(
        (k, v) -> {
          if (s.wants(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  private static String diff(Map<String, Upsert> expected, Map<String, Upsert> actual) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Upsert> e : expected.entrySet()) {
      Upsert a = actual.get(e.getKey());
      if (a == null) {
        parts.add("missing " + e.getValue());
      } else if (!a.equals(e.getValue())) {
        parts.add("expected " + e.getValue() + " got " + a);
      }
    }
    for (Map.Entry<String, Upsert> e : actual.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        parts.add("extra " + e.getValue());
      }
    }
    return parts.size() > 10
        ? parts.subList(0, 10) + " and " + (parts.size() - 10) + " more"
        : parts.toString();
  }

  /** One subscriber's state while its streams are replayed. */
  private final class SubscriberState {
    private final SubscriberLog sub;
    private final Map<String, Upsert> held = new TreeMap<>();
    private final Set<Long> seen = new HashSet<>();
    private long last = -1;

    SubscriberState(SubscriberLog sub) {
      this.sub = sub;
    }

    void consume(DeltaStream stream) {
      String who = sub.subscriber();
      if (last < 0 && stream.resumeRevision() > 0) {
        held.putAll(filter(reference.stateAt(stream.resumeRevision()), sub)); // its cached state
        last = stream.resumeRevision();
      } else if (last >= 0 && stream.resumeRevision() != last) {
        flag(
            "resume-mismatch",
            who + " resumed from " + stream.resumeRevision() + " but had applied " + last);
      }
      long expectedPrev = stream.resumeRevision();
      boolean first = true;
      for (Delta d : stream.deltas()) {
        String at =
            who + " delta " + d.range() + (d.serverId() != null ? " from " + d.serverId() : "");
        if (d.reset()) {
          reset(d, first, at);
        } else if (last >= 0 && d.revision() <= last) {
          flag(
              seen.contains(d.revision()) ? "duplicate" : "out-of-order",
              at + ": revision " + d.revision() + " after " + last + " was applied");
        } else {
          chain(d, expectedPrev, first, at);
          content(d, at);
          apply(d);
        }
        expectedPrev = Math.max(last, 0);
        first = false;
      }
    }

    private void reset(Delta d, boolean first, String at) {
      if (!first) {
        flag("unexpected-reset", at + ": a reset that is not the first delta of its stream");
      }
      if (d.revision() < last) {
        flag("out-of-order", at + ": reset to " + d.revision() + " after " + last + " was applied");
        return;
      }
      Map<String, Upsert> got = new TreeMap<>();
      d.upserts().forEach(u -> got.put(u.key(), u));
      Map<String, Upsert> expected = filter(reference.stateAt(d.revision()), sub);
      if (!expected.equals(got)) {
        flag("reset-mismatch", at + ": " + diff(expected, got));
      }
      held.clear();
      held.putAll(got);
      mark(d.revision());
    }

    private void chain(Delta d, long expectedPrev, boolean first, String at) {
      if (d.previousRevision() == expectedPrev) {
        return;
      }
      if (first) {
        flag(
            "not-resumable",
            at
                + ": the stream resumed from "
                + expectedPrev
                + " but starts after "
                + d.previousRevision());
      } else if (d.previousRevision() > expectedPrev) {
        int skipped = relevant(reference.fold(expectedPrev, d.previousRevision())).size();
        flag(
            "gap",
            at
                + ": revisions ("
                + expectedPrev
                + ", "
                + d.previousRevision()
                + "] were never delivered ("
                + skipped
                + " relevant keys changed there)");
      } else {
        flag(
            "duplicate",
            at
                + ": revisions ("
                + d.previousRevision()
                + ", "
                + expectedPrev
                + "] were already delivered");
      }
    }

    private void content(Delta d, String at) {
      Map<String, Change> expected = relevant(reference.fold(d.previousRevision(), d.revision()));
      Map<String, Upsert> upserts = new HashMap<>();
      d.upserts().forEach(u -> upserts.put(u.key(), u));
      Set<String> removals = new HashSet<>(d.removals());
      Set<Long> delivered = new HashSet<>();
      List<Change> missing = new ArrayList<>();
      for (Change c : expected.values()) {
        if (c.isRemoval()) {
          if (removals.contains(c.key())) {
            delivered.add(c.revision());
          } else if (reference.existsAt(c.key(), d.previousRevision())) {
            missing.add(c);
          }
          continue;
        }
        Upsert u = upserts.get(c.key());
        if (u == null) {
          missing.add(c);
        } else {
          delivered.add(c.revision());
          if (!u.value().equals(c.value()) || u.modRevision() != c.revision()) {
            flag(
                "wrong-value",
                at + ": " + u + " but revision " + c.revision() + " wrote " + c.value());
          }
        }
      }
      for (Change c : missing) {
        boolean split = delivered.contains(c.revision());
        flag(
            split ? "split-revision" : "missing-change",
            at
                + ": misses "
                + (c.isRemoval() ? "the removal of " : "")
                + c.key()
                + " from revision "
                + c.revision()
                + (split ? ", while other changes of that revision are in it" : ""));
      }
      for (Upsert u : d.upserts()) {
        Change c = expected.get(u.key());
        if (c == null || c.isRemoval()) {
          flag("phantom-change", at + ": " + u + " did not change in that range");
        }
      }
      for (String k : d.removals()) {
        Change c = expected.get(k);
        if (c == null || !c.isRemoval()) {
          flag(
              "phantom-change", at + ": removal of " + k + ", which was not removed in that range");
        }
      }
    }

    private void apply(Delta d) {
      for (Upsert u : d.upserts()) {
        held.put(u.key(), u);
      }
      for (String k : d.removals()) {
        held.remove(k);
      }
      mark(d.revision());
    }

    private void mark(long revision) {
      seen.add(revision);
      last = revision;
    }

    private Map<String, Change> relevant(Map<String, Change> fold) {
      Map<String, Change> out = new TreeMap<>();
      fold.forEach(
          (k, c) -> {
            if (sub.wants(k)) {
              out.put(k, c);
            }
          });
      return out;
    }

    /** Returns whether the subscriber converged to the final read. */
    boolean finish() {
      String who = sub.subscriber();
      long at = Math.max(last, 0);
      if (at < finalRead.revision()) {
        Map<String, Change> missed = relevant(reference.fold(at, finalRead.revision()));
        if (!missed.isEmpty()) {
          flag(
              "lagging",
              who
                  + " ended at revision "
                  + at
                  + ", missing "
                  + missed.size()
                  + " relevant changes up to the final read at "
                  + finalRead.revision());
          return false;
        }
      }
      Map<String, Upsert> expected =
          at <= finalRead.revision()
              ? filter(finalRead.values(), sub)
              : filter(reference.stateAt(at), sub);
      if (!expected.equals(held)) {
        flag(
            "final-state-mismatch",
            who
                + " built a state at revision "
                + at
                + " that differs from the final read: "
                + diff(expected, held));
        return false;
      }
      return true;
    }
  }
}
