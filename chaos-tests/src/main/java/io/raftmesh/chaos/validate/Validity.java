package io.raftmesh.chaos.validate;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A checker's verdict. UNKNOWN means the checker could not decide (never a disguised VALID). */
public enum Validity {
  /** The history satisfies the property. */
  @JsonProperty("valid")
  VALID,
  /** The checker could not decide, e.g. its search ran out of time. */
  @JsonProperty("unknown")
  UNKNOWN,
  /** The history violates the property; the result carries counter-examples. */
  @JsonProperty("invalid")
  INVALID;

  /** The worse of two verdicts: INVALID over UNKNOWN over VALID. */
  public Validity and(Validity other) {
    return compareTo(other) >= 0 ? this : other;
  }

  /** Lower-case name, as used in summary lines. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
