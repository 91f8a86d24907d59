package io.raftmesh.chaos.model;

import org.jspecify.annotations.Nullable;

/**
 * What a client saw for a register operation.
 *
 * @param known false when the outcome is unknown (an {@code info} completion): any result is then
 *     acceptable, and the operation may or may not have taken effect
 * @param value for a read, the value read ({@code null}: absent); unused otherwise
 */
public record RegisterResult(boolean known, @Nullable String value) {
  private static final RegisterResult UNKNOWN = new RegisterResult(false, null);
  private static final RegisterResult DONE = new RegisterResult(true, null);

  /** An operation with an unknown outcome. */
  public static RegisterResult unknown() {
    return UNKNOWN;
  }

  /** A write or compare-and-set that took effect. */
  public static RegisterResult done() {
    return DONE;
  }

  /** A read that returned {@code value}. */
  public static RegisterResult read(@Nullable String value) {
    return new RegisterResult(true, value);
  }

  @Override
  public String toString() {
    return known ? String.valueOf(value) : "?";
  }
}
