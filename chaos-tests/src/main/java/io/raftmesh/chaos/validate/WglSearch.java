package io.raftmesh.chaos.validate;

import io.raftmesh.chaos.model.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The Wing-Gong linearizability search with Lowe's memoisation, as Porcupine runs it.
 *
 * <p>Calls and returns form a doubly linked list in real-time order (a call sorts before a return
 * at the same instant: intervals are closed). The search walks the list: a call whose operation the
 * model accepts in the current state is <em>lifted</em> (its call and return unlinked) and pushed
 * on a stack, unless the pair (set of linearized operations, new state) was explored before;
 * reaching a return means its operation cannot come later, so the search backtracks by popping the
 * last lifted call, restoring its nodes and state, and trying the next candidate. An empty list is
 * a witness order; an empty stack at a return proves no order exists.
 */
final class WglSearch {
  /** How the search ended. */
  enum Outcome {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    TIMED_OUT,
    CANCELLED
  }

  /**
   * The search's answer.
   *
   * @param outcome how it ended
   * @param order the witness order (LINEARIZABLE) or the longest linearizable prefix found, as
   *     positions in the input list
   * @param stuck the operation that could not be placed after that prefix, or -1
   * @param steps loop iterations, for diagnostics
   */
  record Result(Outcome outcome, List<Integer> order, int stuck, long steps) {}

  private static final int CHECK_EVERY = 1024;

  private WglSearch() {}

  private static final class Node {
    final int op;
    final long time;
    final boolean isCall;
    @Nullable Node match;
    @Nullable Node prev;
    @Nullable Node next;

    Node(int op, long time, boolean isCall) {
      this.op = op;
      this.time = time;
      this.isCall = isCall;
    }
  }

  private record Frame(Node call, Object stateBefore) {}

  /** An explored configuration: which operations are linearized, and the model state. */
  private record Config(BitSet linearized, Object state) {}

  static <S, I, O> Result run(
      Model<S, I, O> model,
      List<LinearOp<I, O>> ops,
      long deadlineNanos,
      LongSupplier clock,
      BooleanSupplier cancelled) {
    int n = ops.size();
    Node head = link(ops);
    S state = model.init();
    BitSet linearized = new BitSet(n);
    Set<Config> explored = new HashSet<>();
    List<Frame> stack = new ArrayList<>();
    List<Integer> longest = List.of();
    int stuck = -1;
    long steps = 0;
    Node entry = head.next;
    while (entry != null) {
      if (steps++ % CHECK_EVERY == 0) {
        if (cancelled.getAsBoolean()) {
          return new Result(Outcome.CANCELLED, longest, stuck, steps);
        }
        if (clock.getAsLong() - deadlineNanos >= 0) {
          return new Result(Outcome.TIMED_OUT, longest, stuck, steps);
        }
      }
      if (entry.isCall) {
        LinearOp<I, O> op = ops.get(entry.op);
        S next = model.step(state, op.input(), op.output());
        if (next != null) {
          BitSet with = (BitSet) linearized.clone();
          with.set(entry.op);
          if (explored.add(new Config(with, next))) {
            stack.add(new Frame(entry, state));
            state = next;
            linearized.set(entry.op);
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
        continue;
      }
      // A return whose operation is not linearized yet: nothing left can precede it. Backtrack.
      if (stack.size() > longest.size() || stuck < 0) {
        longest = positions(stack);
        stuck = entry.op;
      }
      if (stack.isEmpty()) {
        return new Result(Outcome.NOT_LINEARIZABLE, longest, stuck, steps);
      }
      Frame top = stack.remove(stack.size() - 1);
      @SuppressWarnings("unchecked")
      S before = (S) top.stateBefore();
      state = before;
      linearized.clear(top.call().op);
      unlift(top.call());
      entry = top.call().next;
    }
    return new Result(Outcome.LINEARIZABLE, positions(stack), -1, steps);
  }

  private static List<Integer> positions(List<Frame> stack) {
    List<Integer> out = new ArrayList<>(stack.size());
    for (Frame f : stack) {
      out.add(f.call().op);
    }
    return List.copyOf(out);
  }

  /** Builds head -> events in time order, calls before returns at equal times. */
  private static <I, O> Node link(List<LinearOp<I, O>> ops) {
    Node[] nodes = new Node[ops.size() * 2];
    for (int i = 0; i < ops.size(); i++) {
      LinearOp<I, O> op = ops.get(i);
      Node call = new Node(i, op.call(), true);
      Node ret = new Node(i, op.ret(), false);
      call.match = ret;
      nodes[2 * i] = call;
      nodes[2 * i + 1] = ret;
    }
    Arrays.sort(
        nodes,
        Comparator.<Node>comparingLong(x -> x.time)
            .thenComparing(x -> !x.isCall)
            .thenComparingInt(x -> x.op));
    Node head = new Node(-1, Long.MIN_VALUE, false);
    Node prev = head;
    for (Node x : nodes) {
      prev.next = x;
      x.prev = prev;
      prev = x;
    }
    return head;
  }

  /** Unlinks a call and its return. A call always has a successor: its own return. */
  private static void lift(Node call) {
    Node ret = nonNull(call.match);
    nonNull(call.prev).next = call.next;
    nonNull(call.next).prev = call.prev;
    nonNull(ret.prev).next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  /** Relinks what {@link #lift} unlinked, in reverse order. */
  private static void unlift(Node call) {
    Node ret = nonNull(call.match);
    nonNull(ret.prev).next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    nonNull(call.prev).next = call;
    nonNull(call.next).prev = call;
  }

  private static Node nonNull(@Nullable Node node) {
    if (node == null) {
      throw new IllegalStateException("broken event list");
    }
    return node;
  }
}
