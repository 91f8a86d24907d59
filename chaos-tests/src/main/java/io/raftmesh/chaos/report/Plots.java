package io.raftmesh.chaos.report;

import io.raftmesh.chaos.history.EventType;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.Operation;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SVG plots of a run, like Jepsen's perf graphs: client latency over time (log scale) and
 * throughput over time, each point or line coloured by outcome, with fault periods shaded.
 */
public final class Plots {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 180;
  private static final int TOP = 36;
  private static final int BOTTOM = 50;
  private static final int MAX_OK_POINTS = 20_000;
  private static final List<EventType> OUTCOMES =
      List.of(EventType.OK, EventType.FAIL, EventType.INFO);
  private static final String[] FAULT_COLOURS = {
    "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#1f77b4"
  };

  private Plots() {}

  private static String colour(EventType outcome) {
    return switch (outcome) {
      case OK -> "#2ca02c";
      case FAIL -> "#d62728";
      case INFO, INVOKE -> "#ff7f0e";
    };
  }

  /** Latency of every completed client operation against its invocation time. */
  public static String latency(History history, List<FaultWindow> faults, String title) {
    List<Operation> ops = new ArrayList<>();
    for (Operation op : history.clientOperations()) {
      if (op.isCompleted()) {
        ops.add(op);
      }
    }
    double xMax = seconds(Math.max(history.endTime(), 1));
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Operation op : ops) {
      double ms = Math.max((double) op.latencyNanos() / 1e6, 0.001);
      lo = Math.min(lo, ms);
      hi = Math.max(hi, ms);
    }
    double yLo = ops.isEmpty() ? 0 : Math.floor(Math.log10(lo));
    double yHi = ops.isEmpty() ? 1 : Math.max(yLo + 1, Math.ceil(Math.log10(hi)));
    Frame f = new Frame(xMax, yLo, yHi);
    SvgCanvas c = new SvgCanvas(WIDTH, HEIGHT);
    shade(c, f, faults);
    f.axes(c, title, "latency (ms)", true);
    long oks = ops.stream().filter(Operation::isOk).count();
    long every = Math.max(1, (oks + MAX_OK_POINTS - 1) / MAX_OK_POINTS);
    long okSeen = 0;
    for (Operation op : ops) {
      if (op.isOk() && okSeen++ % every != 0) {
        continue;
      }
      double ms = Math.max((double) op.latencyNanos() / 1e6, 0.001);
      c.circle(
          f.x(seconds(op.invokeTime())),
          f.y(Math.log10(ms)),
          2,
          colour(op.outcome()),
          "op-" + op.outcome().name().toLowerCase(Locale.ROOT));
    }
    legend(c, faults, every > 1 ? "ok (1 in " + every + " shown)" : "ok");
    return c.render();
  }

  /** Completions per second over time, one line per outcome, in buckets of {@code bucket}. */
  public static String throughput(
      History history, List<FaultWindow> faults, Duration bucket, String title) {
    long b = Math.max(1, bucket.toNanos());
    int n = (int) Math.max(1, (history.endTime() + b - 1) / b);
    Map<EventType, double[]> rates = new EnumMap<>(EventType.class);
    for (EventType t : OUTCOMES) {
      rates.put(t, new double[n]);
    }
    for (Operation op : history.clientOperations()) {
      if (op.isCompleted()) {
        int i = (int) Math.min(n - 1, op.completeTime() / b);
        double[] r = rates.get(op.outcome());
        if (r != null) {
          r[i] += 1e9 / b;
        }
      }
    }
    double peak = 1;
    for (double[] r : rates.values()) {
      for (double v : r) {
        peak = Math.max(peak, v);
      }
    }
    Frame f = new Frame(seconds(Math.max(history.endTime(), 1)), 0, niceCeiling(peak));
    SvgCanvas c = new SvgCanvas(WIDTH, HEIGHT);
    shade(c, f, faults);
    f.axes(c, title, "ops/s", false);
    for (Map.Entry<EventType, double[]> e : rates.entrySet()) {
      List<double[]> pts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        pts.add(new double[] {f.x(seconds((i + 0.5) * (double) b)), f.y(e.getValue()[i])});
      }
      c.polyline(pts, colour(e.getKey()), "rate-" + e.getKey().name().toLowerCase(Locale.ROOT));
    }
    legend(c, faults, "ok");
    return c.render();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double seconds(double nanos) {
    return nanos / 1e9;
  }

  private static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static Map<String, String> faultColours(List<FaultWindow> faults) {
    Map<String, String> colours = new LinkedHashMap<>();
    for (FaultWindow w : faults) {
      colours.computeIfAbsent(w.kind(), k -> FAULT_COLOURS[colours.size() % FAULT_COLOURS.length]);
    }
    return colours;
  }

  private static void shade(SvgCanvas c, Frame f, List<FaultWindow> faults) {
    Map<String, String> colours = faultColours(faults);
    for (FaultWindow w : faults) {
      double x0 = f.x(seconds(w.start()));
      double x1 = f.x(Math.min(seconds(w.end()), f.xMax));
      c.rect(
          x0,
          TOP,
          x1 - x0,
          HEIGHT - TOP - BOTTOM,
          colours.getOrDefault(w.kind(), FAULT_COLOURS[0]),
          0.18,
          "fault");
    }
  }

  private static void legend(SvgCanvas c, List<FaultWindow> faults, String okLabel) {
    double x = WIDTH - RIGHT + 16;
    double y = TOP + 10;
    for (EventType t : OUTCOMES) {
      c.circle(x, y - 4, 4, colour(t), "legend");
      String label = t == EventType.OK ? okLabel : t.name().toLowerCase(Locale.ROOT);
      c.text(x + 10, y, label, "start", 12);
      y += 18;
    }
    y += 8;
    for (Map.Entry<String, String> e : faultColours(faults).entrySet()) {
      c.rect(x - 5, y - 10, 12, 12, e.getValue(), 0.4, "legend");
      c.text(x + 10, y, e.getKey(), "start", 12);
      y += 18;
    }
  }

  /** The plot area and its scales. */
  private static final class Frame {
    final double xMax;
    final double yLo;
    final double yHi;

    Frame(double xMax, double yLo, double yHi) {
      this.xMax = xMax;
      this.yLo = yLo;
      this.yHi = yHi;
    }

    double x(double seconds) {
      return LEFT + (WIDTH - LEFT - RIGHT) * seconds / xMax;
    }

    double y(double v) {
      return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (v - yLo) / (yHi - yLo);
    }

    void axes(SvgCanvas c, String title, String yLabel, boolean logY) {
      double bottom = HEIGHT - BOTTOM;
      c.line(LEFT, bottom, WIDTH - RIGHT, bottom, "black").line(LEFT, TOP, LEFT, bottom, "black");
      c.text(WIDTH / 2.0, 22, title, "middle", 15);
      c.text(LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 12, "time (s)", "middle", 12);
      c.text(16, TOP - 10, yLabel, "start", 12);
      double step = niceCeiling(xMax / 10);
      for (double t = 0; t <= xMax + 1e-9; t += step) {
        c.line(x(t), bottom, x(t), bottom + 5, "black");
        c.text(x(t), bottom + 18, format(t), "middle", 11);
      }
      if (logY) {
        for (double p = yLo; p <= yHi + 1e-9; p++) {
          c.line(LEFT - 5, y(p), LEFT, y(p), "black");
          c.text(LEFT - 8, y(p) + 4, format(Math.pow(10, p)), "end", 11);
        }
      } else {
        double s = niceCeiling(Math.max((yHi - yLo) / 5, 1e-9));
        for (double v = yLo; v <= yHi + 1e-9; v += s) {
          c.line(LEFT - 5, y(v), LEFT, y(v), "black");
          c.text(LEFT - 8, y(v) + 4, format(v), "end", 11);
        }
      }
    }

    private static String format(double v) {
      if (v == 0) {
        return "0";
      }
      if (v >= 1 && v == Math.rint(v)) {
        return String.format(Locale.ROOT, "%,d", (long) v);
      }
      return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
  }
}
