package io.raftmesh.chaos.history;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * An invocation paired with its completion: the unit checkers reason about.
 *
 * <p>An operation whose invocation never completed before the history ended is {@link
 * EventType#INFO} with {@code completeTime == Long.MAX_VALUE} and {@code completeIndex == -1}: it
 * may take effect at any time after its invocation.
 *
 * @param process the logical client (or {@link Event#NEMESIS})
 * @param f the function
 * @param key the key, if any
 * @param input the invocation's value, if any
 * @param output the completion's value, if any
 * @param outcome ok, fail or info
 * @param invokeTime when it was invoked (nanoseconds since the recorder started)
 * @param completeTime when it completed, or {@code Long.MAX_VALUE} if it never did
 * @param revision the revision the completion reported, if any
 * @param node the server that answered, if known
 * @param error the completion's error, if any
 * @param invokeIndex the invocation's index in the history
 * @param completeIndex the completion's index, or -1 if it never completed
 */
public record Operation(
    int process,
    String f,
    @Nullable String key,
    @Nullable JsonNode input,
    @Nullable JsonNode output,
    EventType outcome,
    long invokeTime,
    long completeTime,
    @Nullable Long revision,
    @Nullable String node,
    @Nullable String error,
    long invokeIndex,
    long completeIndex) {

  /** Whether the operation took effect. */
  public boolean isOk() {
    return outcome == EventType.OK;
  }

  /** Whether the operation definitely did not take effect. */
  public boolean isFail() {
    return outcome == EventType.FAIL;
  }

  /** Whether the outcome is unknown (it may take effect at any time after its invocation). */
  public boolean isUnknown() {
    return outcome == EventType.INFO;
  }

  /** Whether a completion event exists (false for operations cut off by the end of the history). */
  public boolean isCompleted() {
    return completeIndex >= 0;
  }

  /** Completion time minus invocation time, or -1 when the operation never completed. */
  public long latencyNanos() {
    return isCompleted() ? completeTime - invokeTime : -1;
  }

  /** Short form for reports: {@code p3 write k1 "v7" -> ok @rev 12}. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(process == Event.NEMESIS ? "nemesis" : "p" + process).append(' ').append(f);
    if (key != null) {
      b.append(' ').append(key);
    }
    if (input != null) {
      b.append(' ').append(input);
    }
    b.append(" -> ").append(outcome.name().toLowerCase(java.util.Locale.ROOT));
    if (output != null) {
      b.append(' ').append(output);
    }
    if (revision != null) {
      b.append(" @rev ").append(revision);
    }
    if (error != null) {
      b.append(" (").append(error).append(')');
    }
    b.append(" [events ").append(invokeIndex);
    if (completeIndex >= 0) {
      b.append('-').append(completeIndex);
    }
    return b.append(']').toString();
  }
}
