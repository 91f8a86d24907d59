package io.raftmesh.server.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Logs refusals at WARN without letting a misbehaving client flood the log: at most one line per
 * reason per interval, the next line saying how many were suppressed (all are counted in metrics).
 */
final class ThrottledLog {
  private final Logger log;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, AtomicLong> lastLogged = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

  ThrottledLog(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  void warn(String reason, String format, @Nullable Object... args) {
    long now = System.nanoTime();
    AtomicLong last = lastLogged.computeIfAbsent(reason, r -> new AtomicLong(now - intervalNanos));
    AtomicLong dropped = suppressed.computeIfAbsent(reason, r -> new AtomicLong());
    long prev = last.get();
    if (now - prev >= intervalNanos && last.compareAndSet(prev, now)) {
      long n = dropped.getAndSet(0);
      if (n > 0) {
        log.warn(format + " ({} similar refusals suppressed)", append(args, n));
      } else {
        log.warn(format, args);
      }
    } else {
      dropped.incrementAndGet();
    }
  }

  private static @Nullable Object[] append(@Nullable Object[] args, long n) {
    @Nullable Object[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = n;
    return out;
  }
}
