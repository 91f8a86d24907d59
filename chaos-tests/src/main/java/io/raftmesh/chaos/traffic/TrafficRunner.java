package io.raftmesh.chaos.traffic;

import static java.util.Objects.requireNonNull;

import io.raftmesh.chaos.history.Completion;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.history.PendingOp;
import io.raftmesh.chaos.history.Worker;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link Workload} with concurrent workers and records every operation: invocation before
 * the call, completion after it, an exception as {@code info} (Jepsen's rule: an exception means
 * the outcome is unknown). A worker that got {@code info} continues under a fresh process id (the
 * {@link Worker} does that).
 */
public final class TrafficRunner {
  private static final Logger log = LoggerFactory.getLogger(TrafficRunner.class);

  /**
   * What a run did.
   *
   * @param ops operations issued
   * @param ok ended ok
   * @param fail ended fail
   * @param info ended with an unknown outcome
   */
  public record Stats(long ops, long ok, long fail, long info) {}

  private final HistoryRecorder recorder;
  private final Workload workload;
  private final TrafficConfig config;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong fail = new AtomicLong();
  private final AtomicLong info = new AtomicLong();

  /** A runner recording into {@code recorder}. */
  public TrafficRunner(HistoryRecorder recorder, Workload workload, TrafficConfig config) {
    this.recorder = requireNonNull(recorder, "recorder");
    this.workload = requireNonNull(workload, "workload");
    this.config = requireNonNull(config, "config");
  }

  /** Runs until the duration passes, {@code maxOps} are issued or {@link #stop()} is called. */
  public Stats run() throws InterruptedException {
    long deadline = System.nanoTime() + config.duration().toNanos();
    CountDownLatch done = new CountDownLatch(config.workers());
    for (int w = 0; w < config.workers(); w++) {
      int id = w;
      Worker worker = recorder.newWorker();
      Thread t =
          new Thread(
              () -> {
                try {
                  loop(id, worker, deadline);
                } finally {
                  done.countDown();
                }
              },
              "traffic-" + w);
      t.setDaemon(true);
      t.start();
    }
    long grace = config.duration().toNanos() + TimeUnit.MINUTES.toNanos(2);
    if (!done.await(grace, TimeUnit.NANOSECONDS)) {
      stop.set(true);
      log.error("traffic workers still busy 2 min after the deadline; an op is hanging");
    }
    Stats s = new Stats(issued.get(), ok.get(), fail.get(), info.get());
    log.info("traffic done ops={} ok={} fail={} info={}", s.ops(), s.ok(), s.fail(), s.info());
    return s;
  }

  /** Asks the workers to finish their current operation and stop. */
  public void stop() {
    stop.set(true);
  }

  private void loop(int id, Worker worker, long deadline) {
    Random random = new Random(config.seed() + id);
    long intervalNanos = config.ratePerWorker() > 0 ? (long) (1e9 / config.ratePerWorker()) : 0;
    long next = System.nanoTime();
    while (!stop.get() && System.nanoTime() - deadline < 0) {
      long n = issued.incrementAndGet();
      if (config.maxOps() > 0 && n > config.maxOps()) {
        issued.decrementAndGet();
        return;
      }
      PlannedOp op = workload.next(id, random);
      PendingOp pending = worker.invoke(op.f(), op.key(), op.value());
      Completion c;
      try {
        c = op.call().call();
      } catch (InterruptedException e) {
        pending.complete(Completion.info("interrupted"));
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        c = Completion.info(e.toString());
      }
      pending.complete(c);
      switch (c.type()) {
        case OK -> ok.incrementAndGet();
        case FAIL -> fail.incrementAndGet();
        default -> info.incrementAndGet();
      }
      if (intervalNanos > 0) {
        next += intervalNanos;
        long wait = Math.min(next, deadline) - System.nanoTime();
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(wait);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }
}
