package io.raftmesh.chaos.history;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * How an operation ended, as a client reports it to the recorder.
 *
 * @param type ok, fail or info
 * @param value the result (a read value, an issued serial), if any
 * @param revision the store revision the response carried, if any
 * @param node the server that answered, if known
 * @param error why it failed or is unknown
 */
public record Completion(
    EventType type,
    @Nullable JsonNode value,
    @Nullable Long revision,
    @Nullable String node,
    @Nullable String error) {

  /** Rejects an invoke. */
  public Completion {
    requireNonNull(type, "type");
    if (!type.isCompletion()) {
      throw new IllegalArgumentException("type: " + type + " (expected: ok, fail or info)");
    }
  }

  /** The operation took effect and returned {@code value} (may be a JSON null). */
  public static Completion ok(@Nullable JsonNode value) {
    return new Completion(EventType.OK, value, null, null, null);
  }

  /** The operation took effect and returned nothing. */
  public static Completion ok() {
    return ok(null);
  }

  /** The operation definitely did not take effect. */
  public static Completion fail(String error) {
    return new Completion(EventType.FAIL, null, null, null, requireNonNull(error, "error"));
  }

  /** The outcome is unknown (timeout, reset connection, unexpected exception). */
  public static Completion info(String error) {
    return new Completion(EventType.INFO, null, null, null, requireNonNull(error, "error"));
  }

  /** This completion with the store revision the response carried. */
  public Completion withRevision(long newRevision) {
    return new Completion(type, value, newRevision, node, error);
  }

  /** This completion naming the server that answered. */
  public Completion withNode(String newNode) {
    return new Completion(type, value, revision, requireNonNull(newNode, "newNode"), error);
  }

  /** This completion with a result value. */
  public Completion withValue(@Nullable JsonNode newValue) {
    return new Completion(type, newValue, revision, node, error);
  }
}
