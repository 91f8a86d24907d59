package io.raftmesh.server.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A latency histogram that can be merged: bucket upper bounds in seconds (strictly increasing, the
 * last +Inf) and a count per bucket (not cumulative). Adding counts with the same bounds is exact;
 * counts with other bounds go to the first own bucket whose bound is at least theirs, so a merged
 * percentile is never below the true one. Percentiles interpolate linearly inside a bucket, as
 * Prometheus's {@code histogram_quantile} does. Not thread-safe.
 */
public final class Histogram {
  private final double[] bounds;
  private final long[] counts;

  private Histogram(double[] bounds) {
    this.bounds = bounds;
    this.counts = new long[bounds.length];
  }

  /**
   * An empty histogram with {@code bounds}.
   *
   * @throws IllegalArgumentException when the bounds are empty, not strictly increasing or do not
   *     end at +Inf
   */
  public static Histogram withBounds(List<Double> bounds) {
    String problem = checkBounds(bounds);
    if (problem != null) {
      throw new IllegalArgumentException("bucket_upper_bounds_seconds" + problem);
    }
    double[] b = new double[bounds.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = bounds.get(i);
    }
    return new Histogram(b);
  }

  /**
   * What is wrong with {@code bounds}, as the rest of a field error after the field's name ({@code
   * "[2]: 0.1 (expected: ...)"}), or null when they are valid.
   */
  static @Nullable String checkBounds(List<Double> bounds) {
    if (bounds.isEmpty()) {
      return ": [] (expected: at least the +Inf bound)";
    }
    for (int i = 0; i < bounds.size(); i++) {
      double b = bounds.get(i);
      if (Double.isNaN(b) || b <= 0) {
        return "[" + i + "]: " + b + " (expected: positive)";
      }
      if (i > 0 && b <= bounds.get(i - 1)) {
        return "["
            + i
            + "]: "
            + b
            + " (expected: above the previous bound "
            + bounds.get(i - 1)
            + ")";
      }
    }
    int last = bounds.size() - 1;
    if (bounds.get(last) != Double.POSITIVE_INFINITY) {
      return "[" + last + "]: " + bounds.get(last) + " (expected: +Inf, the last bound)";
    }
    return null;
  }

  /** Adds {@code counts} over {@code bounds} (valid bounds, one count per bound). */
  public void add(List<Double> otherBounds, List<Long> otherCounts) {
    if (otherBounds.size() != otherCounts.size()) {
      throw new IllegalArgumentException(
          "bucket_counts: " + otherCounts.size() + " entries (expected: one per bound)");
    }
    if (sameBounds(otherBounds)) {
      for (int i = 0; i < counts.length; i++) {
        counts[i] += otherCounts.get(i);
      }
      return;
    }
    int j = 0;
    for (int i = 0; i < otherBounds.size(); i++) {
      double b = otherBounds.get(i);
      while (bounds[j] < b) {
        j++; // never past the end: the own last bound is +Inf
      }
      counts[j] += otherCounts.get(i);
    }
  }

  /** Adds another histogram's counts. */
  public void add(Histogram other) {
    add(other.bounds(), other.counts());
  }

  private boolean sameBounds(List<Double> other) {
    if (other.size() != bounds.length) {
      return false;
    }
    for (int i = 0; i < bounds.length; i++) {
      if (Double.compare(bounds[i], other.get(i)) != 0) {
        return false;
      }
    }
    return true;
  }

  /** The number of observations. */
  public long total() {
    long t = 0;
    for (long c : counts) {
      t += c;
    }
    return t;
  }

  /**
   * The latency below which a share {@code q} (0..1) of the observations fell, interpolated
   * linearly inside its bucket (the first bucket starts at 0). When it falls in the +Inf bucket,
   * the highest finite bound (the histogram knows no more). NaN without observations.
   */
  public double quantile(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("q: " + q + " (expected: 0..1)");
    }
    long total = total();
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < counts.length; i++) {
      long c = counts[i];
      if (c > 0 && below + c >= rank) {
        double lower = i == 0 ? 0 : bounds[i - 1];
        double upper = bounds[i];
        if (upper == Double.POSITIVE_INFINITY) {
          return lower;
        }
        return lower + (upper - lower) * Math.max(0, rank - below) / c;
      }
      below += c;
    }
    return bounds.length > 1 ? bounds[bounds.length - 2] : 0;
  }

  /** The bucket bounds. */
  public List<Double> bounds() {
    List<Double> out = new ArrayList<>(bounds.length);
    for (double b : bounds) {
      out.add(b);
    }
    return out;
  }

  /** The per-bucket counts. */
  public List<Long> counts() {
    List<Long> out = new ArrayList<>(counts.length);
    for (long c : counts) {
      out.add(c);
    }
    return out;
  }

  @Override
  public String toString() {
    return "Histogram{bounds="
        + Arrays.toString(bounds)
        + ", counts="
        + Arrays.toString(counts)
        + "}";
  }
}
