package io.raftmesh.agent.proxy.metrics;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON access log lines, one per request or TCP connection, written at INFO to the dedicated logger
 * {@code raftmesh.proxy.access} (route it to its own appender, or turn it off, in the logging
 * config). Nothing is formatted when that logger is disabled.
 *
 * <p>Fields: {@code time, direction, trace_id, source, destination, method, path, status,
 * duration_ms, upstream, retries, flags}.
 */
public final class AccessLog {
  /** The logger's name. */
  public static final String LOGGER_NAME = "raftmesh.proxy.access";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

  private AccessLog() {}

  /** Whether lines are written at all. */
  public static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  /** Writes one line. */
  public static void log(
      long startEpochMillis,
      String direction,
      @Nullable String traceId,
      @Nullable String source,
      String destination,
      String method,
      String path,
      int status,
      long durationNanos,
      @Nullable String upstream,
      int retries,
      @Nullable String flags) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    StringBuilder b = new StringBuilder(256);
    b.append("{\"time\":\"").append(Instant.ofEpochMilli(startEpochMillis)).append('"');
    field(b, "direction", direction);
    field(b, "trace_id", traceId);
    field(b, "source", source);
    field(b, "destination", destination);
    field(b, "method", method);
    field(b, "path", path);
    b.append(",\"status\":").append(status);
    b.append(",\"duration_ms\":").append(durationNanos / 1000 / 1000.0);
    field(b, "upstream", upstream);
    b.append(",\"retries\":").append(retries);
    field(b, "flags", flags);
    b.append('}');
    LOG.info("{}", b);
  }

  private static void field(StringBuilder b, String name, @Nullable String value) {
    b.append(",\"").append(name).append("\":");
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
