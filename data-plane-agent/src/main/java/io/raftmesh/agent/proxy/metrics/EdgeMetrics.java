package io.raftmesh.agent.proxy.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The metrics of one edge (direction, source, destination), resolved once so that recording a
 * request touches only pre-bound data points and adders: no label lookups, no allocation.
 */
public final class EdgeMetrics {
  static final double[] BOUNDS_SECONDS = {
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    Double.POSITIVE_INFINITY
  };

  private final String direction;
  private final String source;
  private final String destination;
  private final CounterDataPoint[] byCodeClass; // index 0: other, 1..5: 1xx..5xx
  private final DistributionDataPoint duration;
  private final CounterDataPoint tcpConnections;
  private final CounterDataPoint tcpReceived;
  private final CounterDataPoint tcpSent;
  private final LongAdder requests = new LongAdder();
  private final LongAdder successes = new LongAdder();
  private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length];

  EdgeMetrics(ProxyMetrics m, String direction, String source, String destination) {
    this.direction = direction;
    this.source = source;
    this.destination = destination;
    byCodeClass = new CounterDataPoint[6];
    String[] classes = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 0; i < classes.length; i++) {
      byCodeClass[i] = m.requests.labelValues(direction, source, destination, classes[i]);
    }
    duration = m.duration.labelValues(direction, source, destination);
    tcpConnections = m.tcpConnections.labelValues(direction, source, destination);
    tcpReceived = m.tcpReceived.labelValues(direction, source, destination);
    tcpSent = m.tcpSent.labelValues(direction, source, destination);
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  /** Records one completed HTTP request; status 0 means no response (reset or local error). */
  public void recordRequest(int status, long durationNanos) {
    int cls = status >= 100 && status < 600 ? status / 100 : 0;
    byCodeClass[cls].inc();
    double seconds = durationNanos / 1e9;
    duration.observe(seconds);
    record(status > 0 && status < 500, seconds);
  }

  /** Records a TCP connection that opened. */
  public void tcpOpened() {
    tcpConnections.inc();
  }

  /** Records a TCP connection that ended, with its bytes and whether it ended cleanly. */
  public void tcpClosed(long received, long sent, boolean clean, long durationNanos) {
    tcpReceived.inc(received);
    tcpSent.inc(sent);
    record(clean, durationNanos / 1e9);
  }

  private void record(boolean success, double seconds) {
    requests.increment();
    if (success) {
      successes.increment();
    }
    int i = 0;
    while (seconds > BOUNDS_SECONDS[i]) {
      i++;
    }
    buckets[i].increment();
  }

  /**
   * The counts since the previous call. The adders are read one after the other while requests are
   * recorded, so a request can land in one summary's requests and the next one's successes; the
   * successes are capped at the requests and the rest is left for the next summary, so that a
   * summary never has more successes than requests.
   */
  EdgeSummary drain() {
    long[] counts = new long[BOUNDS_SECONDS.length];
    for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
      counts[i] = buckets[i].sumThenReset();
    }
    long n = requests.sumThenReset();
    long ok = successes.sumThenReset();
    if (ok > n) {
      successes.add(ok - n);
      ok = n;
    }
    List<Double> bounds = new ArrayList<>(BOUNDS_SECONDS.length);
    List<Long> countList = new ArrayList<>(BOUNDS_SECONDS.length);
    for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
      bounds.add(BOUNDS_SECONDS[i]);
      countList.add(counts[i]);
    }
    return new EdgeSummary(direction, source, destination, n, ok, bounds, countList);
  }
}
