package io.raftmesh.chaos.traffic;

import io.raftmesh.chaos.history.Completion;
import io.raftmesh.chaos.history.Values;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A test fixture, not a workload of the real system: registers in memory with a global revision,
 * plus switchable bugs (stale reads) and faults (an outage that times out every request, writes
 * that apply and then time out), to check that the runner and the checkers catch what they must.
 */
final class InMemoryRegisters {
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, String> previous = new HashMap<>();
  private long revision;
  final AtomicBoolean staleReads = new AtomicBoolean();
  final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong calls = new AtomicLong();
  volatile int ambiguousEvery;

  private void checkUp() throws TimeoutException {
    if (down.get()) {
      throw new TimeoutException("deadline exceeded (store unreachable)");
    }
  }

  private void maybeLoseReply() throws TimeoutException {
    int every = ambiguousEvery;
    if (every > 0 && calls.incrementAndGet() % every == 0) {
      throw new TimeoutException("reply lost after the write applied");
    }
  }

  synchronized Completion read(String key) throws TimeoutException {
    checkUp();
    String v = staleReads.get() ? previous.get(key) : values.get(key);
    return Completion.ok(Values.text(v)).withRevision(revision);
  }

  Completion write(String key, String value) throws TimeoutException {
    checkUp();
    long rev;
    synchronized (this) {
      previous.put(key, values.get(key));
      values.put(key, value);
      rev = ++revision;
    }
    maybeLoseReply();
    return Completion.ok().withRevision(rev);
  }

  Completion cas(String key, @Nullable String expected, String value) throws TimeoutException {
    checkUp();
    long rev;
    synchronized (this) {
      if (!Objects.equals(values.get(key), expected)) {
        return Completion.fail("precondition failed");
      }
      previous.put(key, values.get(key));
      values.put(key, value);
      rev = ++revision;
    }
    maybeLoseReply();
    return Completion.ok().withRevision(rev);
  }

  /** read / write / cas on {@code keys} keys with unique values. */
  Workload workload(int keys) {
    UniqueValues unique = new UniqueValues("v");
    return (worker, random) -> {
      String key = "k" + random.nextInt(keys);
      int kind = random.nextInt(10);
      if (kind < 5) {
        return new PlannedOp("read", key, null, () -> read(key));
      }
      String v = unique.next();
      if (kind < 8) {
        return new PlannedOp("write", key, Values.text(v), () -> write(key, v));
      }
      String expected;
      synchronized (this) {
        expected = values.get(key);
      }
      return new PlannedOp("cas", key, Values.pair(expected, v), () -> cas(key, expected, v));
    };
  }
}
