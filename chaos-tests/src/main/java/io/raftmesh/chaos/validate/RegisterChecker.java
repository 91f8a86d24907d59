package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import io.raftmesh.chaos.history.Values;
import io.raftmesh.chaos.model.CasRegister;
import io.raftmesh.chaos.model.RegisterOp;
import io.raftmesh.chaos.model.RegisterResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Checks the register workload: {@code read}, {@code write} and {@code cas} operations on
 * independent keys must be linearizable per key against a {@link CasRegister} that starts absent.
 *
 * <p>History conventions: a {@code write} invocation's value is the written string; a {@code cas}
 * invocation's value is {@code [expected, new]} (expected {@code null}: the key must be absent); an
 * ok {@code read} completion's value is the string read, or JSON {@code null} when absent. Failed
 * operations are dropped (they took no effect), reads that did not end ok are dropped (they
 * observed nothing), and operations with unknown outcome stay open to the end of the history.
 */
public final class RegisterChecker {
  /** The functions this checker reads from a history. */
  public static final Set<String> FUNCTIONS = Set.of("read", "write", "cas");

  private static final int PREFIX_SHOWN = 20;

  private final LinearizabilityChecker search;

  private RegisterChecker(LinearizabilityChecker search) {
    this.search = search;
  }

  /** A checker that gives up (UNKNOWN) after {@code timeLimit}, searching keys on 2 threads. */
  public static RegisterChecker withTimeLimit(Duration timeLimit) {
    return new RegisterChecker(LinearizabilityChecker.of(timeLimit, 2));
  }

  /** Checks the register operations of {@code history}. */
  public CheckResult check(History history) {
    requireNonNull(history, "history");
    CheckResult.Builder result = new CheckResult.Builder("register");
    Map<String, List<Operation>> sources = new TreeMap<>();
    Map<String, List<LinearOp<RegisterOp, RegisterResult>>> partitions = new TreeMap<>();
    long ok = 0;
    long fail = 0;
    long info = 0;
    List<Operation> ops = history.clientOperations(FUNCTIONS);
    Set<String> observed = observedValues(ops);
    long unobserved = 0;
    for (Operation op : ops) {
      ok += op.isOk() ? 1 : 0;
      fail += op.isFail() ? 1 : 0;
      info += op.isUnknown() ? 1 : 0;
      LinearOp<RegisterOp, RegisterResult> lin = toLinear(op);
      if (lin == null) {
        continue;
      }
      if (op.isUnknown() && !observed.contains(writtenValue(lin.input()))) {
        unobserved++; // see observedValues: dropping it cannot change the verdict
        continue;
      }
      String key = requireNonNull(op.key(), "key");
      partitions.computeIfAbsent(key, k -> new ArrayList<>()).add(lin);
      sources.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
    }
    result.count("ops", ops.size()).count("ok", ok).count("fail", fail).count("info", info);
    result.count("keys", partitions.size()).count("unknown-unobserved", unobserved);
    long steps = 0;
    for (LinearizabilityChecker.PartitionResult r :
        search.check(CasRegister.startingAbsent(), partitions)) {
      steps += r.steps();
      List<Operation> src = requireNonNull(sources.get(r.partition()), "sources");
      if (r.validity() == Validity.INVALID) {
        result.violation(counterExample(r, src));
      } else if (r.validity() == Validity.UNKNOWN && r.timedOut()) {
        result.unknown(
            "key "
                + r.partition()
                + ": search exceeded the time limit after "
                + r.steps()
                + " steps ("
                + src.size()
                + " ops)");
      }
    }
    result.note("search steps: " + steps);
    return result.build();
  }

  /**
   * Every value some operation depends on: values returned by ok reads, and the expected values of
   * compare-and-sets. An unknown write (or compare-and-set) whose new value is not among them can
   * be dropped without changing the verdict, as etcd's robustness checker drops unpersisted writes:
   * if it took effect, no known read or compare-and-set can fall between it and the next effective
   * write (each would have had to observe its value), and unknown compare-and-sets in that window
   * were no-ops that can equally be placed at the end. This keeps the search small when a fault
   * leaves many writes with unknown outcome, most of which never happened.
   */
  static Set<String> observedValues(List<Operation> ops) {
    Set<String> observed = new HashSet<>();
    for (Operation op : ops) {
      if (op.isFail()) {
        continue;
      }
      if (op.f().equals("read") && op.isOk()) {
        String v = Values.textOrNull(op.output());
        if (v != null) {
          observed.add(v);
        }
      } else if (op.f().equals("cas") && op.input() != null && op.input().isArray()) {
        String expected = Values.textOrNull(op.input().get(0));
        if (expected != null) {
          observed.add(expected);
        }
      }
    }
    return observed;
  }

  private static String writtenValue(RegisterOp op) {
    if (op instanceof RegisterOp.Write w) {
      return w.value();
    }
    if (op instanceof RegisterOp.Cas c) {
      return c.value();
    }
    return "";
  }

  /** The operation as the model sees it, or null if it carries no information for the model. */
  static @Nullable LinearOp<RegisterOp, RegisterResult> toLinear(Operation op) {
    if (op.isFail()) {
      return null;
    }
    if (op.key() == null) {
      throw new IllegalArgumentException(
          "operation " + op.describe() + ": key: null (expected: the register's key)");
    }
    long ret = op.isUnknown() ? Long.MAX_VALUE : op.completeTime();
    RegisterResult out = op.isUnknown() ? RegisterResult.unknown() : RegisterResult.done();
    if (op.f().equals("read")) {
      if (!op.isOk()) {
        return null;
      }
      return new LinearOp<>(
          new RegisterOp.Read(),
          RegisterResult.read(Values.textOrNull(op.output())),
          op.invokeTime(),
          ret);
    }
    if (op.f().equals("write")) {
      String v = Values.textOrNull(op.input());
      if (v == null) {
        throw new IllegalArgumentException(
            "operation " + op.describe() + ": value: null (expected: the written string)");
      }
      return new LinearOp<>(new RegisterOp.Write(v), out, op.invokeTime(), ret);
    }
    if (op.f().equals("cas")) {
      JsonNode in = op.input();
      if (in == null || !in.isArray() || in.size() != 2 || in.get(1).isNull()) {
        throw new IllegalArgumentException(
            "operation " + op.describe() + ": value: " + in + " (expected: [expected, new])");
      }
      RegisterOp cas = new RegisterOp.Cas(Values.textOrNull(in.get(0)), in.get(1).asText());
      return new LinearOp<>(cas, out, op.invokeTime(), ret);
    }
    return null;
  }

  private static Anomaly counterExample(
      LinearizabilityChecker.PartitionResult r, List<Operation> src) {
    CasRegister model = CasRegister.startingAbsent();
    CasRegister.State state = model.init();
    List<Operation> informative = new ArrayList<>();
    List<LinearOp<RegisterOp, RegisterResult>> lin = new ArrayList<>();
    for (Operation op : src) {
      LinearOp<RegisterOp, RegisterResult> l = requireNonNull(toLinear(op), "linear op");
      informative.add(op);
      lin.add(l);
    }
    ObjectNode detail = Values.object();
    detail.put("key", r.partition());
    ArrayNode prefix = detail.putArray("linearizablePrefix");
    StringBuilder msg = new StringBuilder();
    msg.append("key ")
        .append(r.partition())
        .append(": not linearizable. Longest linearizable prefix: ")
        .append(r.order().size())
        .append(" of ")
        .append(src.size())
        .append(" ops");
    int shownFrom = Math.max(0, r.order().size() - PREFIX_SHOWN);
    if (shownFrom > 0) {
      msg.append(" (last ").append(PREFIX_SHOWN).append(" shown)");
    }
    msg.append(':');
    for (int i = 0; i < r.order().size(); i++) {
      int pos = r.order().get(i);
      LinearOp<RegisterOp, RegisterResult> l = lin.get(pos);
      CasRegister.State next = model.step(state, l.input(), l.output());
      state = next != null ? next : state;
      String line = informative.get(pos).describe() + "  => state " + state;
      prefix.add(line);
      if (i >= shownFrom) {
        msg.append("\n  ").append(line);
      }
    }
    detail.put("stateAfterPrefix", String.valueOf(state.value()));
    msg.append("\nstate after the prefix: ").append(state);
    if (r.stuck() >= 0) {
      Operation stuck = informative.get(r.stuck());
      detail.put("cannotLinearize", stuck.describe());
      msg.append("\nthen this op cannot be linearized (nothing still pending can precede it): ")
          .append(stuck.describe());
    }
    return new Anomaly("nonlinearizable", msg.toString(), detail);
  }
}
