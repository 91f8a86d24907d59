package io.raftmesh.store;

import io.raftmesh.store.rocks.CommandApplier;
import io.raftmesh.store.rocks.StoreState;
import io.raftmesh.store.statemachine.StateMachineEvents;
import io.raftmesh.store.watch.WatchHub;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns state-machine callbacks (on Ratis threads) into {@link LeadershipListener} calls on one
 * event thread, and watches for a missing leader. Nothing here blocks a Ratis thread: each callback
 * only counts or enqueues.
 */
final class MemberEvents implements StateMachineEvents {
  private static final Logger LOG = LoggerFactory.getLogger(MemberEvents.class);

  /** What the watchdog reads: the leader this member knows, and the term. */
  record LeaderView(@Nullable String leaderId, long term, boolean running) {}

  private final String memberId;
  private final Duration noLeaderAfter;
  private final ScheduledExecutorService thread;
  private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
  private final StoreMetrics metrics;
  private final WatchHub watches;
  private @Nullable ScheduledFuture<?> watchdog;
  private volatile Supplier<LeaderView> view = () -> new LeaderView(null, 0, false);
  // Touched only on the event thread:
  private @Nullable String reportedLeader;
  private long reportedTerm;
  private long readyTerm = -1;
  private long noLeaderSinceNanos;
  private boolean noLeaderReported;

  MemberEvents(String memberId, Duration noLeaderAfter, StoreMetrics metrics, WatchHub watches) {
    this.memberId = memberId;
    this.noLeaderAfter = noLeaderAfter;
    this.metrics = metrics;
    this.watches = watches;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raftmesh-store-events-" + memberId);
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts polling {@code view} for "no leader" every quarter of the timeout. */
  void startWatchdog(Supplier<LeaderView> view) {
    this.view = view;
    long period = Math.max(10, noLeaderAfter.toMillis() / 4);
    watchdog =
        thread.scheduleWithFixedDelay(
            () -> check(view.get()), period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Adds a listener on the event thread and first tells it the state it missed: the known leader
   * and, when this member already leads and is ready, {@code onLeaderReady}. Without this replay a
   * member elected while the server was still starting (before it added its listeners) would never
   * start its leader-only jobs.
   */
  void add(LeadershipListener listener) {
    Objects.requireNonNull(listener, "listener");
    enqueue(
        () -> {
          listeners.add(listener);
          String leader = reportedLeader;
          if (leader != null) {
            deliverTo(listener, l -> l.onLeaderChanged(leader, reportedTerm));
          }
          if (readyTerm >= 0) {
            long term = readyTerm;
            deliverTo(listener, l -> l.onLeaderReady(term));
          }
        });
  }

  /** Removes a listener, on the event thread (after an earlier {@link #add} of it). */
  void remove(LeadershipListener listener) {
    enqueue(() -> listeners.remove(listener));
  }

  private void check(LeaderView view) {
    if (!view.running()) {
      return;
    }
    if (view.leaderId() != null) {
      reportLeader(view.leaderId(), view.term());
      return;
    }
    long now = System.nanoTime();
    if (noLeaderSinceNanos == 0) {
      noLeaderSinceNanos = now;
    }
    Duration elapsed = Duration.ofNanos(now - noLeaderSinceNanos);
    if (!noLeaderReported && elapsed.compareTo(noLeaderAfter) > 0) {
      noLeaderReported = true;
      reportedLeader = null;
      readyTerm = -1;
      LOG.warn("member={} no leader for {}ms", memberId, elapsed.toMillis());
      deliver(l -> l.onNoLeader(elapsed));
    }
  }

  private void reportLeader(String leaderId, long term) {
    noLeaderSinceNanos = 0;
    noLeaderReported = false;
    if (!leaderId.equals(reportedLeader)) {
      reportedLeader = leaderId;
      reportedTerm = term;
      deliver(l -> l.onLeaderChanged(leaderId, term));
    }
  }

  private void deliver(java.util.function.Consumer<LeadershipListener> call) {
    for (LeadershipListener l : listeners) {
      deliverTo(l, call);
    }
  }

  private void deliverTo(
      LeadershipListener l, java.util.function.Consumer<LeadershipListener> call) {
    try {
      call.accept(l);
    } catch (RuntimeException e) {
      LOG.warn("member={} leadership listener {} failed: {}", memberId, l, e.toString());
    }
  }

  private void enqueue(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException e) {
      // Closing: no more events.
    }
  }

  @Override
  public void leaderChanged(String leaderId, long term) {
    metrics.leaderChanges.inc();
    enqueue(() -> reportLeader(leaderId, term >= 0 ? term : view.get().term()));
  }

  @Override
  public void leaderReady(long term) {
    enqueue(
        () -> {
          long t = term >= 0 ? term : view.get().term();
          LOG.info("member={} is leader and ready term={}", memberId, t);
          readyTerm = t;
          deliver(l -> l.onLeaderReady(t));
        });
  }

  @Override
  public void notLeader() {
    enqueue(
        () -> {
          readyTerm = -1;
          deliver(LeadershipListener::onNotLeader);
        });
  }

  @Override
  public void applied(CommandApplier.Outcome outcome, long nanos) {
    metrics.applyDuration.observe(nanos / 1e9);
    String result;
    if (outcome instanceof CommandApplier.Applied a) {
      result = a.result().getDuplicate() ? "duplicate" : "ok";
    } else {
      result = "refused";
    }
    metrics.applied.labelValues(result).inc();
    watches.onApplied();
  }

  @Override
  public void skipped(long index) {
    metrics.replaySkipped.inc();
  }

  @Override
  public void reloaded(StoreState state) {
    metrics.snapshotInstalls.inc();
    LOG.info(
        "member={} installed a snapshot from the leader: applied index={} revision={}",
        memberId,
        state.appliedIndex(),
        state.revision());
    watches.onApplied();
  }

  @Override
  public void snapshotTaken(long index, long nanos) {
    metrics.snapshots.inc();
    metrics.snapshotDuration.observe(nanos / 1e9);
  }

  @Override
  public void configurationChanged() {
    enqueue(() -> deliver(LeadershipListener::onMembershipChanged));
  }

  @Override
  public void shutdown(@Nullable String reason) {
    LOG.info("member={} Raft division stopping: {}", memberId, reason);
  }

  void close() {
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
