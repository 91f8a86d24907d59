package io.raftmesh.chaos.history;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An immutable, validated history: events in index order, with times that never go backwards.
 *
 * <p>Invariants checked on construction (Jepsen's rules): each process has at most one operation
 * outstanding; a completion follows an invocation of the same process and function; a client
 * process that got an {@code info} completion never invokes again (the client continues under a
 * fresh process id). The nemesis is exempt from the last rule.
 */
public final class History {
  private final List<Event> events;
  private final List<Operation> operations;

  private History(List<Event> events) {
    this.events = List.copyOf(events);
    this.operations = Collections.unmodifiableList(pair(this.events));
  }

  /**
   * A history of these events.
   *
   * @throws IllegalArgumentException naming the first event that breaks an invariant
   */
  public static History of(List<Event> events) {
    return new History(requireNonNull(events, "events"));
  }

  /** Every event in index order. */
  public List<Event> events() {
    return events;
  }

  /** Every operation (client and nemesis), ordered by invocation. */
  public List<Operation> allOperations() {
    return operations;
  }

  /** Client operations, ordered by invocation. */
  public List<Operation> clientOperations() {
    return select(op -> op.process() != Event.NEMESIS);
  }

  /** Nemesis operations, ordered by invocation. */
  public List<Operation> nemesisOperations() {
    return select(op -> op.process() == Event.NEMESIS);
  }

  /** Client operations with one of these functions, ordered by invocation. */
  public List<Operation> clientOperations(Set<String> functions) {
    return select(op -> op.process() != Event.NEMESIS && functions.contains(op.f()));
  }

  /** The time of the last event, 0 for an empty history. */
  public long endTime() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).time();
  }

  private List<Operation> select(Predicate<Operation> filter) {
    List<Operation> out = new ArrayList<>();
    for (Operation op : operations) {
      if (filter.test(op)) {
        out.add(op);
      }
    }
    return out;
  }

  private static List<Operation> pair(List<Event> events) {
    Map<Integer, Event> pending = new HashMap<>();
    Map<Event, Operation> done = new HashMap<>();
    Set<Integer> retired = new HashSet<>();
    List<Event> invocations = new ArrayList<>();
    long lastTime = 0;
    long lastIndex = -1;
    for (Event e : events) {
      if (e.index() <= lastIndex) {
        throw bad(e, "index " + e.index(), "greater than the previous index " + lastIndex);
      }
      if (e.time() < lastTime) {
        throw bad(e, "time " + e.time(), "not before the previous event's time " + lastTime);
      }
      lastIndex = e.index();
      lastTime = e.time();
      if (e.type() == EventType.INVOKE) {
        if (pending.containsKey(e.process())) {
          throw bad(e, "invoke by process " + e.process(), "no operation already pending");
        }
        if (retired.contains(e.process())) {
          throw bad(e, "invoke by process " + e.process(), "a fresh process after an info");
        }
        pending.put(e.process(), e);
        invocations.add(e);
        continue;
      }
      Event invoke = pending.remove(e.process());
      if (invoke == null) {
        throw bad(e, e.type() + " by process " + e.process(), "a pending invocation");
      }
      if (!invoke.f().equals(e.f())) {
        throw bad(e, "f " + e.f(), "the invoked function " + invoke.f());
      }
      if (e.type() == EventType.INFO && e.process() != Event.NEMESIS) {
        retired.add(e.process());
      }
      done.put(invoke, complete(invoke, e));
    }
    List<Operation> ops = new ArrayList<>(invocations.size());
    for (Event invoke : invocations) {
      Operation op = done.get(invoke);
      ops.add(op != null ? op : open(invoke));
    }
    return ops;
  }

  private static Operation complete(Event invoke, Event end) {
    return new Operation(
        invoke.process(),
        invoke.f(),
        invoke.key() != null ? invoke.key() : end.key(),
        invoke.value(),
        end.value(),
        end.type(),
        invoke.time(),
        end.time(),
        end.revision(),
        end.node() != null ? end.node() : invoke.node(),
        end.error(),
        invoke.index(),
        end.index());
  }

  private static Operation open(Event invoke) {
    return new Operation(
        invoke.process(),
        invoke.f(),
        invoke.key(),
        invoke.value(),
        null,
        EventType.INFO,
        invoke.time(),
        Long.MAX_VALUE,
        null,
        invoke.node(),
        "history ended before completion",
        invoke.index(),
        -1);
  }

  private static IllegalArgumentException bad(Event e, String what, String expected) {
    return new IllegalArgumentException(
        "event " + e.index() + ": " + what + " (expected: " + expected + ")");
  }

  @Override
  public String toString() {
    return "History{events=" + events.size() + ", operations=" + operations.size() + "}";
  }
}
