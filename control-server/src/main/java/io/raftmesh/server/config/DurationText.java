package io.raftmesh.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: a sequence of number-unit pairs such as {@code 1h30m}, {@code
 * 500ms} or {@code 2.5s}; units are ns, us, ms, s, m, h, d. A duration always carries a unit.
 */
public final class DurationText {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

  private DurationText() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Duration parse(String text) {
    String t = text.trim();
    boolean negative = t.startsWith("-");
    if (negative) {
      t = t.substring(1);
    }
    if (t.isEmpty()) {
      throw invalid(text);
    }
    Matcher m = PART.matcher(t);
    int at = 0;
    Duration total = Duration.ZERO;
    while (at < t.length()) {
      if (!m.find(at) || m.start() != at) {
        throw invalid(text);
      }
      total = total.plus(part(m.group(1), m.group(2)));
      at = m.end();
    }
    return negative ? total.negated() : total;
  }

  /** Formats a duration the shortest way this class parses: {@code 1h30m}, {@code 250ms}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    StringBuilder sb = new StringBuilder();
    long days = d.toDays();
    if (days > 0) {
      sb.append(days).append('d');
    }
    int hours = d.toHoursPart();
    int minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    int nanos = d.toNanosPart();
    if (hours > 0) {
      sb.append(hours).append('h');
    }
    if (minutes > 0) {
      sb.append(minutes).append('m');
    }
    if (nanos == 0) {
      if (seconds > 0) {
        sb.append(seconds).append('s');
      }
    } else if (seconds > 0) {
      sb.append(seconds)
          .append('.')
          .append(String.format("%09d", nanos).replaceAll("0+$", ""))
          .append('s');
    } else if (nanos % 1_000_000 == 0) {
      sb.append(nanos / 1_000_000).append("ms");
    } else if (nanos % 1_000 == 0) {
      sb.append(nanos / 1_000).append("us");
    } else {
      sb.append(nanos).append("ns");
    }
    return sb.toString();
  }

  private static Duration part(String number, String unit) {
    long nanosPerUnit =
        switch (unit) {
          case "ns" -> 1L;
          case "us", "µs" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          default -> 86_400_000_000_000L;
        };
    java.math.BigDecimal nanos =
        new java.math.BigDecimal(number).multiply(java.math.BigDecimal.valueOf(nanosPerUnit));
    return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "\"" + text + "\" (expected: a duration with a unit, such as 500ms, 30s, 1h30m)");
  }
}
