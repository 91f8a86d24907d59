package io.raftmesh.chaos.validate;

import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryBuilder;
import io.raftmesh.chaos.history.Values;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Generates register histories that are linearizable by construction: every operation takes effect
 * at a random point inside its interval (or, for some unknown outcomes, never), and its result is
 * computed by applying the operations in the order of those points.
 */
final class RandomRegisterHistory {
  /** One generated operation. */
  static final class Op {
    int process;
    String f = "";
    String key = "";
    @Nullable String expected;
    @Nullable String value;
    long call;
    long ret;
    long point;
    boolean unknown;
    boolean takesEffect = true;
    boolean ok = true;
    @Nullable String readValue;
  }

  final List<Op> ops = new ArrayList<>();
  final List<String> written = new ArrayList<>();

  RandomRegisterHistory(long seed, int processes, int count, int keys) {
    Random rnd = new Random(seed);
    long[] free = new long[processes];
    int[] pid = new int[processes];
    for (int p = 0; p < processes; p++) {
      pid[p] = p;
    }
    int nextPid = processes;
    int nextValue = 0;
    for (int i = 0; i < count; i++) {
      int p = rnd.nextInt(processes);
      Op op = new Op();
      op.process = pid[p];
      op.key = "k" + rnd.nextInt(keys);
      op.call = free[p] + 1 + rnd.nextInt(20);
      op.ret = op.call + rnd.nextInt(60);
      op.point = op.call + (op.ret == op.call ? 0 : rnd.nextInt((int) (op.ret - op.call) + 1));
      free[p] = op.ret;
      int kind = rnd.nextInt(10);
      if (kind < 4) {
        op.f = "read";
      } else if (kind < 8) {
        op.f = "write";
        op.value = "v" + nextValue++;
        written.add(op.value);
      } else {
        op.f = "cas";
        op.value = "v" + nextValue++;
        written.add(op.value);
      }
      if (rnd.nextInt(10) == 0) {
        op.unknown = true;
        op.takesEffect = rnd.nextBoolean();
        pid[p] = nextPid++; // the process retires after an unknown outcome
      }
      ops.add(op);
    }
    // Resolve results in linearization-point order.
    List<Op> order = new ArrayList<>(ops);
    order.sort(Comparator.comparingLong(o -> o.point));
    Map<String, String> state = new HashMap<>();
    Random casRnd = new Random(seed ^ 0x5eed);
    for (Op op : order) {
      String current = state.get(op.key);
      if (op.f.equals("cas")) {
        op.expected = casRnd.nextBoolean() ? current : "v" + casRnd.nextInt(Math.max(1, nextValue));
      }
      if (op.unknown && !op.takesEffect) {
        continue;
      }
      if (op.f.equals("read")) {
        op.readValue = current;
      } else if (op.f.equals("write")) {
        state.put(op.key, op.value);
      } else if (Objects.equals(current, op.expected)) {
        state.put(op.key, op.value);
      } else {
        op.ok = false; // a known cas whose precondition failed did not take effect
      }
    }
  }

  History build() {
    HistoryBuilder b = new HistoryBuilder();
    for (Op op : ops) {
      b.invoke(
          op.call,
          op.process,
          op.f,
          op.key,
          op.f.equals("read")
              ? null
              : op.f.equals("write") ? Values.text(op.value) : Values.pair(op.expected, op.value));
      if (op.unknown) {
        b.info(op.ret, op.process, op.f);
      } else if (!op.ok) {
        b.fail(op.ret, op.process, op.f);
      } else {
        b.ok(op.ret, op.process, op.f, op.f.equals("read") ? Values.text(op.readValue) : null);
      }
    }
    return b.build();
  }
}
