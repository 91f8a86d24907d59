package io.raftmesh.agent.subscribe;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.Backoff;
import io.raftmesh.agent.control.ControlServers;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.DeltaAck;
import io.raftmesh.proto.v1.DeltaNack;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.SubscribeRequest;
import io.raftmesh.proto.v1.SubscribeStart;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one DeltaService stream of the agent. It starts each stream with the revision in force,
 * applies each delta to its view of what the server sent, hands the resulting full view to the
 * {@link ConfigApplier}, and answers ACK (applied) or NACK (refused, with the reason; the previous
 * config stays in force). Deltas are requested one at a time, so the server coalesces while the
 * agent is busy.
 *
 * <p>When a stream fails, ends, or sends a delta that does not continue the view, the subscriber
 * moves to another server after a jittered backoff and resumes from the revision in force: it never
 * goes backwards, and a server cannot make it skip a revision.
 */
public final class DeltaSubscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeltaSubscriber.class);
  private static final Object COMPLETED = new Object();

  private final ControlServers servers;
  private final ConfigApplier applier;
  private final SubscriptionMetrics metrics;
  private final Backoff backoff;
  private final String agentVersion;
  private final Clock clock;
  private final Thread thread;
  private volatile boolean closed;
  // The server of the call in progress, and the one confirmed by a delta on it.
  private volatile @Nullable HostPort streaming;
  private volatile @Nullable HostPort connected;
  private volatile String serverId = "";
  private volatile long receivedRevision;
  private volatile @Nullable Instant lastDeltaAt;
  private volatile @Nullable ClientCallStreamObserver<SubscribeRequest> current;
  // Closing wakes the backoff wait through this latch rather than by interrupting the thread, which
  // would also break the cache write of a config being applied (NIO channels close on interrupt).
  private final java.util.concurrent.CountDownLatch closing =
      new java.util.concurrent.CountDownLatch(1);

  /** A subscriber (not started) that applies through {@code applier}. */
  public DeltaSubscriber(
      ControlServers servers,
      ConfigApplier applier,
      SubscriptionMetrics metrics,
      String agentVersion,
      Clock clock) {
    this.servers = requireNonNull(servers, "servers");
    this.applier = requireNonNull(applier, "applier");
    this.metrics = requireNonNull(metrics, "metrics");
    this.backoff = servers.backoff();
    this.agentVersion = requireNonNull(agentVersion, "agentVersion");
    this.clock = requireNonNull(clock, "clock");
    this.thread = new Thread(this::run, "raftmesh-agent-subscriber");
    this.thread.setDaemon(true);
  }

  /** Starts streaming in the background. */
  public void start() {
    thread.start();
  }

  /**
   * The server of the open stream, or null while none is open: the stream delivered a delta, or its
   * connection is established (a stream resumed at the newest revision gets no delta until the next
   * change).
   */
  public @Nullable HostPort connectedServer() {
    HostPort c = connected;
    if (c != null) {
      return c;
    }
    HostPort s = streaming;
    return s != null && servers.isReady(s) ? s : null;
  }

  /** The server id of the last delta received. */
  public String serverId() {
    return serverId;
  }

  /** The newest revision received (applied or refused). */
  public long receivedRevision() {
    return receivedRevision;
  }

  /** When the last delta arrived, or null. */
  public @Nullable Instant lastDeltaAt() {
    return lastDeltaAt;
  }

  private void run() {
    HostPort avoid = null;
    int failures = 0;
    while (!closed) {
      HostPort server = servers.order(avoid).get(0);
      StreamResult result;
      try {
        result = stream(server);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("subscription failed server={} error={}", server, e.toString());
        result = new StreamResult("error", false);
      }
      streaming = null;
      connected = null;
      metrics.connected(false);
      if (closed) {
        return;
      }
      metrics.ended(result.reason());
      avoid = servers.servers().size() > 1 ? server : null;
      failures = result.progressed() ? 0 : failures + 1;
      Duration delay = backoff.delay(failures);
      log.info(
          "subscription ended server={} reason={} reconnect_in={}ms applied_revision={}",
          server,
          result.reason(),
          delay.toMillis(),
          applier.applied().revision());
      try {
        if (closing.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private record StreamResult(String reason, boolean progressed) {}

  private final class Stream implements ClientResponseObserver<SubscribeRequest, Delta> {
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requests) {
      requests.disableAutoRequestWithInitial(1);
      current = requests;
    }

    @Override
    public void onNext(Delta delta) {
      events.add(delta);
    }

    @Override
    public void onError(Throwable t) {
      events.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      events.add(COMPLETED);
    }
  }

  private StreamResult stream(HostPort server) throws InterruptedException {
    MeshView view = applier.applied();
    Stream stream = new Stream();
    DeltaServiceGrpc.newStub(servers.channel(server)).subscribe(stream);
    ClientCallStreamObserver<SubscribeRequest> requests = requireNonNull(current);
    requests.onNext(
        SubscribeRequest.newBuilder()
            .setStart(
                SubscribeStart.newBuilder()
                    .setResumeRevision(view.revision())
                    .setAgentVersion(agentVersion))
            .build());
    log.debug("subscription opened server={} resume_revision={}", server, view.revision());
    // Shown as connected once its connection is up or a delta came (see connectedServer).
    streaming = server;
    boolean progressed = false;
    try {
      while (!closed) {
        Object event = stream.events.poll(1, TimeUnit.SECONDS);
        if (event == null) {
          metrics.connected(connectedServer() != null);
          continue;
        }
        if (event instanceof Status status) {
          if (closed) {
            return new StreamResult("closed", progressed);
          }
          log.warn(
              "subscription error server={} code={} description={}",
              server,
              status.getCode(),
              status.getDescription());
          return new StreamResult("error", progressed);
        }
        if (event == COMPLETED) {
          return new StreamResult("completed", progressed);
        }
        Delta delta = (Delta) event;
        metrics.delta(delta.getReset());
        MeshView next;
        try {
          next = view.apply(delta);
        } catch (DeltaSequenceException e) {
          log.warn("subscription dropped server={} reason={}", server, e.getMessage());
          requests.cancel("delta out of sequence", null);
          return new StreamResult("sequence", progressed);
        }
        if (!progressed) {
          log.info(
              "subscription streaming server={} server_id={} resume_revision={} first_revision={}"
                  + " reset={}",
              server,
              delta.getServerId(),
              view.revision(),
              delta.getRevision(),
              delta.getReset());
        }
        progressed = true;
        view = next;
        connected = server;
        metrics.connected(true);
        servers.answered(server);
        serverId = delta.getServerId();
        receivedRevision = delta.getRevision();
        lastDeltaAt = clock.instant();
        String refusal = applier.apply(next);
        if (refusal == null) {
          requests.onNext(
              SubscribeRequest.newBuilder()
                  .setAck(DeltaAck.newBuilder().setRevision(delta.getRevision()))
                  .build());
          metrics.ack();
        } else {
          requests.onNext(
              SubscribeRequest.newBuilder()
                  .setNack(
                      DeltaNack.newBuilder().setRevision(delta.getRevision()).setReason(refusal))
                  .build());
          metrics.nack();
        }
        requests.request(1);
      }
      return new StreamResult("closed", progressed);
    } finally {
      // A no-op when the server already ended the call; otherwise frees it at once.
      requests.cancel(closed ? "agent shutting down" : "stream ended", null);
    }
  }

  @Override
  public void close() {
    closed = true;
    closing.countDown();
    ClientCallStreamObserver<SubscribeRequest> requests = current;
    if (requests != null) {
      requests.cancel("agent shutting down", null);
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
