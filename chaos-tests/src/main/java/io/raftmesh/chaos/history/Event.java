package io.raftmesh.chaos.history;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * One line of a history: the invocation or the completion of an operation.
 *
 * <p>{@code time} is nanoseconds since the recorder started, from one monotonic clock, so events of
 * different clients compare in real time; {@code index} is the position in the history, and a
 * higher index never has a lower time. {@code value} is {@code null} when the event carries no
 * value and a JSON {@code null} when the value is "nothing" (a read of an absent key).
 *
 * @param index position in the history, from 0
 * @param time nanoseconds since the recorder started
 * @param type invoke or one of the three completions
 * @param process the logical client; {@link #NEMESIS} for fault operations
 * @param f the operation's function, e.g. {@code read}, {@code write}, {@code cas}, {@code add}
 * @param key the key the operation touches, if any
 * @param value the argument (on invoke) or result (on completion), if any
 * @param revision the store revision the completion reported, if any
 * @param node the server that answered, if known
 * @param error why the operation failed or is unknown, if it did not succeed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "index",
  "time",
  "type",
  "process",
  "f",
  "key",
  "value",
  "revision",
  "node",
  "error"
})
public record Event(
    long index,
    long time,
    EventType type,
    int process,
    String f,
    @Nullable String key,
    @Nullable JsonNode value,
    @Nullable Long revision,
    @Nullable String node,
    @Nullable String error) {

  /** The process id of the nemesis: fault operations are recorded under it. */
  public static final int NEMESIS = -1;

  /** Validates every field. */
  public Event {
    requireNonNull(type, "type");
    requireNonNull(f, "f");
    if (index < 0) {
      throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
    }
    if (time < 0) {
      throw new IllegalArgumentException("time: " + time + " (expected: >= 0)");
    }
    if (process < NEMESIS) {
      throw new IllegalArgumentException("process: " + process + " (expected: >= -1)");
    }
    if (f.isEmpty()) {
      throw new IllegalArgumentException("f: \"\" (expected: a function name)");
    }
  }

  /** Whether this event belongs to the nemesis rather than a client. */
  @JsonIgnore
  public boolean isNemesis() {
    return process == NEMESIS;
  }
}
