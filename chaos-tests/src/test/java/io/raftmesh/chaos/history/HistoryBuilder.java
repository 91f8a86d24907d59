package io.raftmesh.chaos.history;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hand-made histories for checker tests: each call appends one event at an explicit time.
 *
 * <pre>{@code
 * History h = new HistoryBuilder()
 *     .invoke(0, 1, "write", "k", Values.text("a"))
 *     .ok(5, 1, "write", null)
 *     .build();
 * }</pre>
 */
public final class HistoryBuilder {
  private final List<Event> events = new ArrayList<>();

  /** Appends an invocation. */
  public HistoryBuilder invoke(
      long time, int process, String f, @Nullable String key, @Nullable JsonNode value) {
    return add(time, EventType.INVOKE, process, f, key, value, null, null);
  }

  /** Appends an ok completion with a value. */
  public HistoryBuilder ok(long time, int process, String f, @Nullable JsonNode value) {
    return add(time, EventType.OK, process, f, null, value, null, null);
  }

  /** Appends an ok completion with a value and a revision. */
  public HistoryBuilder ok(
      long time, int process, String f, @Nullable JsonNode value, long revision) {
    return add(time, EventType.OK, process, f, null, value, revision, null);
  }

  /** Appends a fail completion. */
  public HistoryBuilder fail(long time, int process, String f) {
    return add(time, EventType.FAIL, process, f, null, null, null, "refused");
  }

  /** Appends an info completion (unknown outcome). */
  public HistoryBuilder info(long time, int process, String f) {
    return add(time, EventType.INFO, process, f, null, null, null, "timeout");
  }

  /** A whole operation {@code [call, ret]} that ended ok. */
  public HistoryBuilder op(
      long call,
      long ret,
      int process,
      String f,
      @Nullable String key,
      @Nullable JsonNode in,
      @Nullable JsonNode out) {
    invoke(call, process, f, key, in);
    return ok(ret, process, f, out);
  }

  private HistoryBuilder add(
      long time,
      EventType type,
      int process,
      String f,
      @Nullable String key,
      @Nullable JsonNode value,
      @Nullable Long revision,
      @Nullable String error) {
    events.add(new Event(events.size(), time, type, process, f, key, value, revision, null, error));
    return this;
  }

  /**
   * The events sorted by time (stable), re-indexed: lets a test write operations one after the
   * other even when they overlap in time.
   */
  public History build() {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(java.util.Comparator.comparingLong(Event::time));
    List<Event> out = new ArrayList<>();
    for (Event e : sorted) {
      out.add(
          new Event(
              out.size(),
              e.time(),
              e.type(),
              e.process(),
              e.f(),
              e.key(),
              e.value(),
              e.revision(),
              e.node(),
              e.error()));
    }
    return History.of(out);
  }
}
