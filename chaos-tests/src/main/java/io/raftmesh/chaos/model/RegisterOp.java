package io.raftmesh.chaos.model;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/** An operation on one compare-and-set register; {@code null} values mean "absent". */
public sealed interface RegisterOp {
  /** Reads the register. */
  record Read() implements RegisterOp {
    @Override
    public String toString() {
      return "read";
    }
  }

  /**
   * Writes {@code value}.
   *
   * @param value the new value
   */
  record Write(String value) implements RegisterOp {
    /** Rejects a null value. */
    public Write {
      requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "write " + value;
    }
  }

  /**
   * Sets {@code value} if the register holds {@code expected} ({@code null}: if it is absent).
   *
   * @param expected the value the register must hold
   * @param value the new value
   */
  record Cas(@Nullable String expected, String value) implements RegisterOp {
    /** Rejects a null new value. */
    public Cas {
      requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "cas " + expected + "->" + value;
    }
  }
}
