package io.raftmesh.store.rocks;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;

/** Millisecond conversions of the protobuf well-known time types. */
public final class ProtoTime {
  private ProtoTime() {}

  /** Milliseconds since the epoch. */
  public static long toMillis(Timestamp t) {
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
  }

  /** A timestamp at {@code millis} since the epoch. */
  public static Timestamp timestamp(long millis) {
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(millis, 1000))
        .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000)
        .build();
  }

  /** Milliseconds of a duration. */
  public static long toMillis(Duration d) {
    return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
  }

  /** A protobuf duration of {@code d}. */
  public static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }
}
