package io.raftmesh.chaos.net;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The faults a {@link FaultBridge} applies, as one immutable value swapped at runtime.
 *
 * <ul>
 *   <li>{@link Data#FORWARD}: bytes flow, after {@code delay ± jitter} (uniform, never negative,
 *       order kept) and at most {@code bytesPerSecond} per direction and connection (0: no limit);
 *   <li>{@link Data#STALL}: bytes are held (reads stop, so TCP flow control pushes back) and flow
 *       again, intact, when the stall ends: a partition that heals before connections time out. New
 *       connections are accepted but not connected to the target until then;
 *   <li>{@link Data#BLACKHOLE}: bytes are read and discarded, like etcd's proxy blackhole. Because
 *       a TCP stream with a hole is something no network produces, every connection that lost bytes
 *       is reset when the blackhole ends: a partition long enough for connections to die;
 *   <li>{@code refuseNew}: new connections are reset right after accept; existing ones carry on.
 * </ul>
 *
 * @param data what happens to bytes
 * @param refuseNew whether new connections are reset at once
 * @param delay added one-way latency
 * @param jitter the delay varies uniformly within {@code ±jitter}
 * @param bytesPerSecond throughput limit per direction and connection, 0 for none
 */
public record LinkFaults(
    Data data, boolean refuseNew, Duration delay, Duration jitter, long bytesPerSecond) {

  /** What happens to the bytes of established connections. */
  public enum Data {
    /** Forward, possibly delayed or throttled. */
    FORWARD,
    /** Hold without loss until the stall ends. */
    STALL,
    /** Discard; connections that lost bytes are reset when it ends. */
    BLACKHOLE
  }

  private static final LinkFaults PASS =
      new LinkFaults(Data.FORWARD, false, Duration.ZERO, Duration.ZERO, 0);

  /** Validates durations and the rate. */
  public LinkFaults {
    requireNonNull(data, "data");
    requireNonNull(delay, "delay");
    requireNonNull(jitter, "jitter");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
    }
    if (jitter.isNegative()) {
      throw new IllegalArgumentException("jitter: " + jitter + " (expected: >= 0)");
    }
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "bytesPerSecond: " + bytesPerSecond + " (expected: >= 0, 0 for no limit)");
    }
  }

  /** No fault. */
  public static LinkFaults pass() {
    return PASS;
  }

  /** Forward everything after {@code delay ± jitter}. */
  public static LinkFaults delay(Duration delay, Duration jitter) {
    return new LinkFaults(Data.FORWARD, false, delay, jitter, 0);
  }

  /** Forward at most {@code bytesPerSecond} per direction and connection. */
  public static LinkFaults throttle(long bytesPerSecond) {
    return new LinkFaults(Data.FORWARD, false, Duration.ZERO, Duration.ZERO, bytesPerSecond);
  }

  /** Hold every byte until the stall ends. */
  public static LinkFaults stall() {
    return PASS.withData(Data.STALL);
  }

  /** Discard every byte; reset the connections that lost bytes when it ends. */
  public static LinkFaults blackhole() {
    return PASS.withData(Data.BLACKHOLE);
  }

  /** Reset new connections; forward on existing ones. */
  public static LinkFaults refuseNewConnections() {
    return new LinkFaults(Data.FORWARD, true, Duration.ZERO, Duration.ZERO, 0);
  }

  /** This value with another data mode. */
  public LinkFaults withData(Data newData) {
    return new LinkFaults(newData, refuseNew, delay, jitter, bytesPerSecond);
  }

  /** This value with new connections refused or not. */
  public LinkFaults withRefuseNew(boolean refuse) {
    return new LinkFaults(data, refuse, delay, jitter, bytesPerSecond);
  }

  /** This value with a delay. */
  public LinkFaults withDelay(Duration newDelay, Duration newJitter) {
    return new LinkFaults(data, refuseNew, newDelay, newJitter, bytesPerSecond);
  }

  /** This value with a throughput limit. */
  public LinkFaults withThrottle(long newBytesPerSecond) {
    return new LinkFaults(data, refuseNew, delay, jitter, newBytesPerSecond);
  }

  /** Whether this is {@link #pass()}. */
  public boolean isPass() {
    return equals(PASS);
  }
}
