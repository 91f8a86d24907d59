package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * One violation found by a checker.
 *
 * @param kind a stable, short name (e.g. {@code nonlinearizable}, {@code lost}, {@code gap})
 * @param message a human explanation naming the operations, events or revisions involved
 * @param detail structured data for tools (a counter-example), if any
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Anomaly(String kind, String message, @Nullable JsonNode detail) {
  /** Rejects nulls. */
  public Anomaly {
    requireNonNull(kind, "kind");
    requireNonNull(message, "message");
  }

  /** An anomaly without structured detail. */
  public static Anomaly of(String kind, String message) {
    return new Anomaly(kind, message, null);
  }
}
