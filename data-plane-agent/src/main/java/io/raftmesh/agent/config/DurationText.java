package io.raftmesh.agent.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: number-unit pairs such as {@code 1h30m}, {@code 500ms} or {@code
 * 2.5s}; units ms, s, m, h, d. A duration always carries a unit.
 */
public final class DurationText {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

  private DurationText() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException when it is not number-unit pairs
   */
  public static Duration parse(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    Matcher m = PART.matcher(t);
    int at = 0;
    Duration total = Duration.ZERO;
    while (at < t.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("not a duration with a unit: " + text);
      }
      double amount = Double.parseDouble(m.group(1));
      long unitNanos =
          switch (m.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
          };
      total = total.plusNanos(Math.round(amount * unitNanos));
      at = m.end();
    }
    return total;
  }

  /** Formats {@code d} the way {@link #parse} reads it, e.g. {@code 1h30m}, {@code 250ms}. */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    if (d.toDays() > 0) {
      sb.append(d.toDays()).append('d');
    }
    if (d.toHoursPart() > 0) {
      sb.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      sb.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0) {
      sb.append(d.toSecondsPart()).append('s');
    }
    if (d.toMillisPart() > 0) {
      sb.append(d.toMillisPart()).append("ms");
    }
    return sb.length() == 0 ? "0s" : sb.toString();
  }
}
