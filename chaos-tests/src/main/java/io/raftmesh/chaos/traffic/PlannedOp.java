package io.raftmesh.chaos.traffic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * An operation a workload wants issued: what the history records at invocation, and the call that
 * performs it.
 *
 * @param f the function ({@code read}, {@code write}, {@code cas}, {@code add}...)
 * @param key the key, if any
 * @param value the argument, if any
 * @param call the request
 */
public record PlannedOp(String f, @Nullable String key, @Nullable JsonNode value, ClientCall call) {
  /** Rejects nulls. */
  public PlannedOp {
    requireNonNull(f, "f");
    requireNonNull(call, "call");
  }
}
