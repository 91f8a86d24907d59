package io.raftmesh.chaos.model;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A compare-and-set register (Knossos's {@code cas-register}), extended for unknown outcomes.
 *
 * <p>Rules: a known read must return the current value; a known write sets it; a known
 * compare-and-set requires its expected value and sets the new one. An operation with an unknown
 * outcome accepts any output: a write sets the value, and a compare-and-set sets it only if its
 * precondition holds at the point where it is linearized (otherwise it is a no-op). An unknown
 * operation that never took effect can always be linearized last, where nobody sees it. Failed
 * operations and reads without a known result never reach the model.
 */
public final class CasRegister implements Model<CasRegister.State, RegisterOp, RegisterResult> {
  private final @Nullable String initial;

  /**
   * The register's state.
   *
   * @param value the value held, {@code null} when absent
   */
  public record State(@Nullable String value) {
    @Override
    public String toString() {
      return String.valueOf(value);
    }
  }

  private CasRegister(@Nullable String initial) {
    this.initial = initial;
  }

  /** A register that starts absent. */
  public static CasRegister startingAbsent() {
    return new CasRegister(null);
  }

  /** A register that starts holding {@code initial}. */
  public static CasRegister startingWith(String initial) {
    return new CasRegister(Objects.requireNonNull(initial, "initial"));
  }

  @Override
  public State init() {
    return new State(initial);
  }

  @Override
  public @Nullable State step(State state, RegisterOp input, RegisterResult output) {
    if (input instanceof RegisterOp.Read) {
      if (!output.known()) {
        return state; // never recorded by the checker, but harmless
      }
      return Objects.equals(state.value(), output.value()) ? state : null;
    }
    if (input instanceof RegisterOp.Write w) {
      return new State(w.value());
    }
    RegisterOp.Cas cas = (RegisterOp.Cas) input;
    boolean holds = Objects.equals(state.value(), cas.expected());
    if (holds) {
      return new State(cas.value());
    }
    return output.known() ? null : state;
  }

  @Override
  public String describe(RegisterOp input, RegisterResult output) {
    if (input instanceof RegisterOp.Read) {
      return "read -> " + output;
    }
    return input + (output.known() ? "" : " (unknown outcome)");
  }
}
