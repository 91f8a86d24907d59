package io.raftmesh.chaos.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The reference sequence of committed changes (from revision 1), against which deltas are checked:
 * the state at any revision, and the folded changes in any revision range.
 */
public final class ChangeLog {
  private final List<Change> changes;
  private final Map<String, List<Change>> byKey;

  private ChangeLog(List<Change> changes) {
    this.changes = changes;
    Map<String, List<Change>> index = new HashMap<>();
    for (Change c : changes) {
      index.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
    }
    this.byKey = index;
  }

  /**
   * The log of these changes.
   *
   * @throws IllegalArgumentException if revisions go backwards or a revision changes a key twice
   */
  public static ChangeLog of(List<Change> changes) {
    List<Change> copy = List.copyOf(requireNonNull(changes, "changes"));
    long last = 0;
    Map<String, Long> lastRevisionOfKey = new HashMap<>();
    for (int i = 0; i < copy.size(); i++) {
      Change c = copy.get(i);
      if (c.revision() < last) {
        throw new IllegalArgumentException(
            "changes[" + i + "].revision: " + c.revision() + " (expected: >= " + last + ")");
      }
      Long prev = lastRevisionOfKey.put(c.key(), c.revision());
      if (prev != null && prev == c.revision()) {
        throw new IllegalArgumentException(
            "changes[" + i + "]: key " + c.key() + " changed twice at revision " + c.revision());
      }
      last = c.revision();
    }
    return new ChangeLog(copy);
  }

  /** The highest revision in the log, 0 when empty. */
  public long lastRevision() {
    return changes.isEmpty() ? 0 : changes.get(changes.size() - 1).revision();
  }

  /** The state of every key at {@code revision}, in key order. */
  public Map<String, Upsert> stateAt(long revision) {
    Map<String, Upsert> state = new TreeMap<>();
    for (Map.Entry<String, List<Change>> e : byKey.entrySet()) {
      Change c = lastAtOrBefore(e.getValue(), revision);
      if (c != null && c.value() != null) {
        state.put(e.getKey(), new Upsert(e.getKey(), c.value(), c.revision()));
      }
    }
    return state;
  }

  /** Whether {@code key} held a value at {@code revision}. */
  public boolean existsAt(String key, long revision) {
    List<Change> list = byKey.get(key);
    if (list == null) {
      return false;
    }
    Change c = lastAtOrBefore(list, revision);
    return c != null && c.value() != null;
  }

  /** The last change of each key in {@code (after, upTo]}, in key order. */
  public Map<String, Change> fold(long after, long upTo) {
    Map<String, Change> out = new TreeMap<>();
    for (int i = firstAfter(after); i < changes.size() && changes.get(i).revision() <= upTo; i++) {
      Change c = changes.get(i);
      out.put(c.key(), c);
    }
    return out;
  }

  /** Every change committed at exactly {@code revision}. */
  public List<Change> at(long revision) {
    List<Change> out = new ArrayList<>();
    for (int i = firstAfter(revision - 1);
        i < changes.size() && changes.get(i).revision() == revision;
        i++) {
      out.add(changes.get(i));
    }
    return out;
  }

  private int firstAfter(long revision) {
    int lo = 0;
    int hi = changes.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (changes.get(mid).revision() <= revision) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static @Nullable Change lastAtOrBefore(List<Change> list, long revision) {
    Change found = null;
    int lo = 0;
    int hi = list.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (list.get(mid).revision() <= revision) {
        found = list.get(mid);
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
