package io.raftmesh.chaos.history;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a history from many concurrent clients and the nemesis.
 *
 * <p>Every event takes its timestamp and its index under one lock, from one monotonic clock, so
 * index order is real-time order. Events are kept in memory and, when a sink is given, appended to
 * it as they happen (a crashed run still leaves its history on disk).
 *
 * <p>Clients are {@link Worker}s: each has one operation outstanding at a time, and after an {@code
 * info} completion it continues under a fresh process id, as Jepsen's interpreter does.
 */
public final class HistoryRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);

  private final LongSupplier nanoClock;
  private final long origin;
  private final @Nullable EventSink sink;
  private final Object lock = new Object();
  private final List<Event> events = new ArrayList<>();
  private final Worker nemesis;
  private int nextProcess;
  private @Nullable IOException sinkFailure;

  private HistoryRecorder(LongSupplier nanoClock, @Nullable EventSink sink) {
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.origin = nanoClock.getAsLong();
    this.sink = sink;
    this.nemesis = new Worker(this, Event.NEMESIS);
  }

  /** A recorder on {@link System#nanoTime()} that keeps events in memory only. */
  public static HistoryRecorder inMemory() {
    return new HistoryRecorder(System::nanoTime, null);
  }

  /** A recorder on {@link System#nanoTime()} that also appends every event to {@code sink}. */
  public static HistoryRecorder writingTo(EventSink sink) {
    return new HistoryRecorder(System::nanoTime, requireNonNull(sink, "sink"));
  }

  /** A recorder on the given clock (tests), optionally appending to a sink. */
  public static HistoryRecorder withClock(LongSupplier nanoClock, @Nullable EventSink sink) {
    return new HistoryRecorder(nanoClock, sink);
  }

  /** A new client worker with a fresh process id. */
  public Worker newWorker() {
    return new Worker(this, freshProcess());
  }

  /** The nemesis worker (process {@link Event#NEMESIS}); it is never retired. */
  public Worker nemesis() {
    return nemesis;
  }

  /** Nanoseconds since this recorder started, on its clock. */
  public long now() {
    return nanoClock.getAsLong() - origin;
  }

  /** A snapshot of everything recorded so far. */
  public History history() {
    synchronized (lock) {
      return History.of(events);
    }
  }

  /** How many events were recorded so far. */
  public int size() {
    synchronized (lock) {
      return events.size();
    }
  }

  int freshProcess() {
    synchronized (lock) {
      return nextProcess++;
    }
  }

  Event append(
      EventType type,
      int process,
      String f,
      @Nullable String key,
      @Nullable JsonNode value,
      @Nullable Long revision,
      @Nullable String node,
      @Nullable String error) {
    synchronized (lock) {
      Event e =
          new Event(events.size(), now(), type, process, f, key, value, revision, node, error);
      events.add(e);
      if (sink != null && sinkFailure == null) {
        try {
          sink.accept(e);
        } catch (IOException ex) {
          sinkFailure = ex;
          log.error(
              "history sink failed at event={}; keeping events in memory only", e.index(), ex);
        }
      }
      return e;
    }
  }

  /** Closes the sink; rethrows the first sink failure, if any, so a lost file is not silent. */
  @Override
  public void close() throws IOException {
    synchronized (lock) {
      if (sink != null) {
        sink.close();
      }
      if (sinkFailure != null) {
        throw new IOException("history sink failed during the run", sinkFailure);
      }
    }
  }
}
