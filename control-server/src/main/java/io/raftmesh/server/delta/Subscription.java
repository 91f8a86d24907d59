package io.raftmesh.server.delta;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.SubscribeRequest;
import io.raftmesh.proto.v1.SubscribeStart;
import io.raftmesh.store.Watch;
import io.raftmesh.store.WatchListener;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's delta stream. It follows the local replica's change log from the agent's resume
 * revision (a store {@link Watch}: in revision order, without gaps), folds changes into {@link
 * PendingChanges} and sends them as one delta when the previous delta has been answered (ACK or
 * NACK) and the transport is ready, so a slow agent costs memory bounded by the number of keys and
 * gets the newest state. A resume below the compaction floor (or from 0) starts with a {@code
 * reset} snapshot read at one revision, and the watch continues from exactly that revision.
 *
 * <p>Every state change happens under this object's lock: calls arrive from the gRPC executor
 * (requests, readiness), the store's watch pool (changes) and the leadership thread (shedding).
 */
final class Subscription implements StreamObserver<SubscribeRequest>, WatchListener {
  private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);

  private final Subscriptions hub;
  private final ServerCallStreamObserver<Delta> out;
  private final String node;
  private @Nullable Predicate<ResourceKey> visible;
  private @Nullable PendingChanges pending;
  private @Nullable Watch watch;
  private String agentVersion = "";
  private boolean started;
  private boolean ended;
  private long sent;
  private long awaiting;
  private long pendingSinceNanos;

  Subscription(Subscriptions hub, ServerCallStreamObserver<Delta> out, String node) {
    this.hub = hub;
    this.out = out;
    this.node = node;
    out.setOnReadyHandler(this::sendIfReady);
    out.setOnCancelHandler(this::cancelled);
  }

  String node() {
    return node;
  }

  @Override
  public synchronized void onNext(SubscribeRequest request) {
    if (ended) {
      return;
    }
    switch (request.getMessageCase()) {
      case START -> {
        if (started) {
          fail(
              Status.INVALID_ARGUMENT.withDescription("start: sent twice (expected: once, first)"));
        } else {
          start(request.getStart());
        }
      }
      case ACK -> {
        if (checkStarted()) {
          answered(request.getAck().getRevision(), null);
        }
      }
      case NACK -> {
        if (checkStarted()) {
          answered(request.getNack().getRevision(), request.getNack().getReason());
        }
      }
      default ->
          fail(
              Status.INVALID_ARGUMENT.withDescription(
                  "message: empty (expected: start, ack or nack)"));
    }
  }

  private boolean checkStarted() {
    if (!started) {
      fail(Status.INVALID_ARGUMENT.withDescription("first message: not start (expected: start)"));
    }
    return started;
  }

  private void start(SubscribeStart start) {
    started = true;
    Status refusal = hub.refusal();
    if (!refusal.isOk()) {
      fail(refusal);
      return;
    }
    long resume = start.getResumeRevision();
    if (resume < 0) {
      fail(
          Status.INVALID_ARGUMENT.withDescription(
              "start.resume_revision: " + resume + " (expected: >= 0)"));
      return;
    }
    try {
      visible = Visibility.forTypes(start.getTypesList());
    } catch (IllegalArgumentException e) {
      fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      return;
    }
    agentVersion = start.getAgentVersion();
    hub.add(this);
    long floor = hub.member.status().compactRevision();
    LOG.info(
        "delta stream opened node={} resume_revision={} floor={} member={}",
        node,
        resume,
        floor,
        hub.serverId);
    if (resume == 0 || resume < floor) {
      hub.executor.execute(this::reset);
    } else {
      pending = new PendingChanges(resume, visible);
      sent = resume;
      watch = hub.member.watch(resume, this);
    }
  }

  /** Sends the full state at one revision, then follows changes after it. */
  private synchronized void reset() {
    if (ended) {
      return;
    }
    Predicate<ResourceKey> v = visible;
    if (v == null) {
      return;
    }
    Delta snapshot;
    try {
      snapshot = ResetSnapshot.read(hub.member, v, hub.serverId);
    } catch (RuntimeException e) {
      LOG.warn("delta stream node={}: reading a reset snapshot failed: {}", node, e.toString());
      fail(hub.errors.toStatus(e).getStatus());
      return;
    }
    if (watch != null) {
      watch.close();
    }
    pending = new PendingChanges(snapshot.getRevision(), v);
    out.onNext(snapshot);
    sent = snapshot.getRevision();
    awaiting = sent;
    pendingSinceNanos = 0;
    hub.metrics.deltasSent.labelValues("reset").inc();
    LOG.info(
        "delta stream node={} reset at revision={} resources={}",
        node,
        snapshot.getRevision(),
        snapshot.getUpsertsCount());
    watch = hub.member.watch(snapshot.getRevision(), this);
  }

  private void answered(long revision, @Nullable String nackReason) {
    if (revision > sent || revision < 0) {
      fail(
          Status.INVALID_ARGUMENT.withDescription(
              (nackReason == null ? "ack" : "nack")
                  + ".revision: "
                  + revision
                  + " (expected: a revision this stream sent, at most "
                  + sent
                  + ")"));
      return;
    }
    if (revision != awaiting) {
      return; // an answer to an older delta: the newest one is still out
    }
    awaiting = 0;
    PendingChanges p = pending;
    if (nackReason == null) {
      hub.metrics.acks.inc();
      // Nothing visible changed after the acknowledged delta up to what the watch delivered,
      // so the agent holds the state at that later revision too.
      long effective = p != null && !p.hasChanges() ? Math.max(revision, p.covered()) : revision;
      hub.reports.ack(node, effective, agentVersion);
    } else {
      hub.metrics.nacks.inc();
      LOG.warn("delta refused node={} revision={} reason={}", node, revision, nackReason);
      hub.reports.nack(node, revision, nackReason);
    }
    sendIfReady();
  }

  @Override
  public synchronized void onChange(ChangeRecord record) {
    PendingChanges p = pending;
    if (ended || p == null || record.getRevision() <= p.covered()) {
      return;
    }
    p.add(record);
    if (p.hasChanges() && pendingSinceNanos == 0) {
      pendingSinceNanos = System.nanoTime();
    }
    sendIfReady();
  }

  @Override
  public synchronized void onCompacted(long compactRevision, long revision) {
    if (ended) {
      return;
    }
    LOG.info(
        "delta stream node={} fell below the compaction floor {}: resetting",
        node,
        compactRevision);
    watch = null;
    hub.executor.execute(this::reset);
  }

  @Override
  public synchronized void onError(Throwable error) {
    // Called by the watch (the change feed failed) and by gRPC (the client went away).
    if (error instanceof io.grpc.StatusRuntimeException || ended) {
      end();
      return;
    }
    LOG.warn("delta stream node={}: change feed failed: {}", node, error.toString());
    fail(
        Status.UNAVAILABLE.withDescription(
            "change feed failed on server " + hub.serverId + "; resume elsewhere"));
  }

  private synchronized void sendIfReady() {
    PendingChanges p = pending;
    if (ended || p == null || awaiting != 0 || !p.hasChanges() || !out.isReady()) {
      return;
    }
    Delta delta = p.drain(hub.serverId);
    out.onNext(delta);
    sent = delta.getRevision();
    awaiting = sent;
    hub.metrics.deltasSent.labelValues("delta").inc();
    if (pendingSinceNanos != 0) {
      hub.metrics.deltaSendDuration.observe((System.nanoTime() - pendingSinceNanos) / 1e9);
      pendingSinceNanos = 0;
    }
  }

  @Override
  public synchronized void onCompleted() {
    if (!ended) {
      end();
      out.onCompleted();
    }
  }

  private synchronized void cancelled() {
    end();
  }

  /** Ends the stream with {@code status}; false when it had ended already. */
  synchronized boolean shed(Status status) {
    if (ended) {
      return false;
    }
    fail(status);
    return true;
  }

  private void fail(Status status) {
    if (ended) {
      return;
    }
    end();
    out.onError(
        status.getCode() == Status.Code.UNAVAILABLE
            ? hub.errors.unavailable(String.valueOf(status.getDescription()))
            : status.asRuntimeException());
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    Watch w = watch;
    if (w != null) {
      w.close();
    }
    hub.remove(this);
    LOG.debug("delta stream closed node={} last_sent={}", node, sent);
  }
}
