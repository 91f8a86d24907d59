package io.raftmesh.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.DeltaAck;
import io.raftmesh.proto.v1.DeltaNack;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.SubscribeRequest;
import io.raftmesh.proto.v1.SubscribeStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A delta-stream client that keeps what an agent keeps: the deltas in order, and the state they add
 * up to. It answers each delta with an ACK (or NACK, or nothing while {@link #hold} is set).
 */
public final class TestSubscriber implements StreamObserver<Delta> {
  private final List<Delta> deltas = new ArrayList<>();
  private final Map<ResourceKey, Resource> state = new HashMap<>();
  private @Nullable StreamObserver<SubscribeRequest> requests;
  private @Nullable Status ended;
  private @Nullable String nackReason;
  private boolean hold;
  private long held;

  /** Opens a stream on {@code channel} resuming from {@code resumeRevision}. */
  public static TestSubscriber open(ManagedChannel channel, long resumeRevision) {
    TestSubscriber s = new TestSubscriber();
    synchronized (s) {
      s.requests = DeltaServiceGrpc.newStub(channel).subscribe(s);
      s.requests.onNext(
          SubscribeRequest.newBuilder()
              .setStart(
                  SubscribeStart.newBuilder()
                      .setResumeRevision(resumeRevision)
                      .setAgentVersion("test-agent"))
              .build());
    }
    return s;
  }

  /** Answer every delta with a NACK for {@code reason} (null: ACK). */
  public synchronized void nackWith(@Nullable String reason) {
    nackReason = reason;
  }

  /** Stop answering (a slow agent) until {@link #release}. */
  public synchronized void hold() {
    hold = true;
  }

  /** Answer the held delta and resume answering. */
  public synchronized void release() {
    hold = false;
    if (held != 0 && requests != null) {
      requests.onNext(ack(held));
      held = 0;
    }
  }

  @Override
  public synchronized void onNext(Delta d) {
    deltas.add(d);
    if (d.getReset()) {
      state.clear();
    }
    for (Resource r : d.getUpsertsList()) {
      state.put(key(r), r);
    }
    for (ResourceKey k : d.getRemovalsList()) {
      state.remove(k);
    }
    if (requests == null) {
      return;
    }
    if (hold) {
      held = d.getRevision();
    } else if (nackReason != null) {
      requests.onNext(
          SubscribeRequest.newBuilder()
              .setNack(DeltaNack.newBuilder().setRevision(d.getRevision()).setReason(nackReason))
              .build());
    } else {
      requests.onNext(ack(d.getRevision()));
    }
  }

  private static SubscribeRequest ack(long revision) {
    return SubscribeRequest.newBuilder()
        .setAck(DeltaAck.newBuilder().setRevision(revision))
        .build();
  }

  @Override
  public synchronized void onError(Throwable t) {
    ended = Status.fromThrowable(t);
  }

  @Override
  public synchronized void onCompleted() {
    ended = Status.OK;
  }

  public synchronized void cancel() {
    if (requests != null && ended == null) {
      requests.onError(Status.CANCELLED.withDescription("test done").asRuntimeException());
      ended = Status.CANCELLED;
    }
  }

  public synchronized List<Delta> deltas() {
    return List.copyOf(deltas);
  }

  public synchronized Map<ResourceKey, Resource> state() {
    return Map.copyOf(state);
  }

  /** The revision of the last delta received (0: none). */
  public synchronized long revision() {
    return deltas.isEmpty() ? 0 : deltas.get(deltas.size() - 1).getRevision();
  }

  public synchronized @Nullable Status ended() {
    return ended;
  }

  /** Waits until a delta reaches {@code revision}. */
  public void awaitRevision(long revision, Duration timeout) {
    Await.until(
        "a delta at revision >= " + revision + " (have " + revision() + ", ended " + ended() + ")",
        timeout,
        () -> revision() >= revision);
  }

  public void awaitEnd(Duration timeout) {
    Await.until("the stream to end", timeout, () -> ended() != null);
  }

  public static ResourceKey key(Resource r) {
    return ResourceKey.newBuilder()
        .setType(r.getType())
        .setNamespace(r.getNamespace())
        .setName(r.getName())
        .build();
  }
}
