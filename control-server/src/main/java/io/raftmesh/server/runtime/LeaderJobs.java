package io.raftmesh.server.runtime;

import io.raftmesh.store.LeadershipListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs only while this member leads and is ready (it has applied every entry before its term,
 * so its replica is current): started on {@code onLeaderReady}, cancelled on {@code onNotLeader}.
 * Jobs run one at a time on one thread; a failing run is logged and the next one runs on schedule.
 */
final class LeaderJobs implements LeadershipListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderJobs.class);

  /** A named periodic job; {@code once} jobs stop after their first run that returns true. */
  record Job(String name, Duration every, java.util.function.BooleanSupplier run, boolean once) {}

  private final String memberId;
  private final List<Job> jobs;
  private final ScheduledExecutorService thread;
  private final List<ScheduledFuture<?>> running = new ArrayList<>();

  LeaderJobs(String memberId, List<Job> jobs) {
    this.memberId = memberId;
    this.jobs = List.copyOf(jobs);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raftmesh-leader-jobs-" + memberId);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public synchronized void onLeaderReady(long term) {
    stop();
    LOG.info("member={} leads term={}: starting {} leader jobs", memberId, term, jobs.size());
    for (Job job : jobs) {
      java.util.concurrent.atomic.AtomicBoolean done =
          new java.util.concurrent.atomic.AtomicBoolean();
      Runnable task =
          () -> {
            if (done.get()) {
              return;
            }
            try {
              if (job.run().getAsBoolean() && job.once()) {
                done.set(true);
              }
            } catch (RuntimeException e) {
              LOG.warn("member={} leader job {} failed: {}", memberId, job.name(), e.toString());
            }
          };
      running.add(
          thread.scheduleWithFixedDelay(
              task,
              job.once() ? 0 : job.every().toMillis(),
              job.every().toMillis(),
              TimeUnit.MILLISECONDS));
    }
  }

  @Override
  public synchronized void onNotLeader() {
    if (!running.isEmpty()) {
      LOG.info("member={} no longer leads: stopping leader jobs", memberId);
    }
    stop();
  }

  private void stop() {
    for (ScheduledFuture<?> f : running) {
      f.cancel(false);
    }
    running.clear();
  }

  @Override
  public synchronized void close() {
    stop();
    thread.shutdownNow();
  }
}
