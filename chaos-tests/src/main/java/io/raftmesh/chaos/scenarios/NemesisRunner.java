package io.raftmesh.chaos.scenarios;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.raftmesh.chaos.failpoint.Nemesis;
import io.raftmesh.chaos.history.Completion;
import io.raftmesh.chaos.history.EventType;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.history.PendingOp;
import io.raftmesh.chaos.history.Values;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a {@link NemesisSchedule} against a {@link Nemesis} in real time and records every
 * operation in the history under the nemesis process (invoke, then {@code info} with what was
 * done), so faults line up with client operations. Whatever happens, it ends with the schedule's
 * final heal and a {@code heal-all} safety net; stopping early skips the remaining faults but not
 * the heal. A fault that fails to apply is recorded with its error and the run goes on.
 */
public final class NemesisRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NemesisRunner.class);

  /** Waits, returning early when asked to stop. */
  interface Waiter {
    /** Waits up to {@code nanos}; returns true if a stop was requested. */
    boolean awaitStop(long nanos) throws InterruptedException;
  }

  private final NemesisSchedule schedule;
  private final Nemesis nemesis;
  private final HistoryRecorder recorder;
  private final LongSupplier clock;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private final Waiter waiter;
  private final AtomicInteger failures = new AtomicInteger();
  private @Nullable Thread thread;

  /** A runner on the real clock. */
  public NemesisRunner(NemesisSchedule schedule, Nemesis nemesis, HistoryRecorder recorder) {
    this(schedule, nemesis, recorder, System::nanoTime, null);
  }

  NemesisRunner(
      NemesisSchedule schedule,
      Nemesis nemesis,
      HistoryRecorder recorder,
      LongSupplier clock,
      @Nullable Waiter waiter) {
    this.schedule = requireNonNull(schedule, "schedule");
    this.nemesis = requireNonNull(nemesis, "nemesis");
    this.recorder = requireNonNull(recorder, "recorder");
    this.clock = requireNonNull(clock, "clock");
    this.waiter = waiter != null ? waiter : nanos -> stop.await(nanos, TimeUnit.NANOSECONDS);
  }

  /** Runs the schedule on a background thread. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("nemesis runner already started");
    }
    Thread t = new Thread(this::run, "nemesis");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Runs the schedule on the calling thread, to the end or until {@link #requestStop()}. */
  public void run() {
    long origin = clock.getAsLong();
    boolean stopping = false;
    try {
      log.info("nemesis schedule seed={} ops={}", schedule.seed(), schedule.ops().size());
      for (ScheduledOp s : schedule.ops()) {
        if (!stopping) {
          long wait = origin + s.at().toNanos() - clock.getAsLong();
          if (wait > 0 && waiter.awaitStop(wait)) {
            stopping = true;
          }
        }
        if (stopping && !s.finalHeal()) {
          continue;
        }
        apply(s);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("nemesis interrupted; healing");
    } finally {
      healAll();
      done.countDown();
    }
  }

  private void apply(ScheduledOp s) {
    PendingOp p = recorder.nemesis().invoke(s.op().f(), null, s.op().toJson());
    try {
      JsonNode result = nemesis.apply(s.op());
      p.complete(new Completion(EventType.INFO, result, null, null, null));
      log.info("nemesis op={} result={}", s.op().f(), result);
    } catch (Exception e) {
      failures.incrementAndGet();
      log.error("nemesis op={} failed", s.op(), e);
      p.complete(Completion.info(String.valueOf(e)));
    }
  }

  private void healAll() {
    PendingOp p = recorder.nemesis().invoke("heal-all", null, Values.object());
    try {
      p.complete(new Completion(EventType.INFO, nemesis.healAll(), null, null, null));
    } catch (Exception e) {
      failures.incrementAndGet();
      log.error("nemesis heal-all failed", e);
      p.complete(Completion.info(String.valueOf(e)));
    }
  }

  /** Skips the remaining faults; the final heal still runs. */
  public void requestStop() {
    stop.countDown();
  }

  /** Waits for the run (including its heal) to finish; returns whether it did. */
  public boolean awaitDone(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** How many operations failed to apply. */
  public int failures() {
    return failures.get();
  }

  /** Stops early and waits (up to a minute) for the heal. */
  @Override
  public void close() {
    requestStop();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    try {
      if (t != null && !awaitDone(Duration.ofMinutes(1))) {
        log.error("nemesis did not finish healing within a minute");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.error("interrupted while the nemesis was healing");
    }
  }
}
