package io.raftmesh.chaos.workload;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.cluster.MeshIdentity;
import io.raftmesh.chaos.model.Delta;
import io.raftmesh.chaos.model.DeltaStream;
import io.raftmesh.chaos.model.ProtoDeltas;
import io.raftmesh.chaos.model.SubscriberLog;
import io.raftmesh.proto.v1.DeltaAck;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.SubscribeRequest;
import io.raftmesh.proto.v1.SubscribeStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscriber as an agent is one: a node identity, one delta stream at a time to some server,
 * resumed from the last revision it applied. It hops to another server every few seconds and
 * whenever a stream ends, and records every stream and every delta for the {@code DeltaChecker}.
 */
final class DeltaSubscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeltaSubscriber.class);

  private final String name;
  private final Cluster cluster;
  private final MeshIdentity identity;
  private final Random random;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final List<StreamRecord> streams = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;
  private long applied;

  /** One stream: where it resumed from and what it received. */
  private record StreamRecord(long resume, String node, List<Delta> deltas) {}

  DeltaSubscriber(String name, Cluster cluster, MeshIdentity identity, long seed) {
    this.name = name;
    this.cluster = cluster;
    this.identity = identity;
    this.random = new Random(seed);
    this.thread = new Thread(this::loop, "subscriber-" + name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** The last revision this subscriber applied. */
  synchronized long applied() {
    return applied;
  }

  private void loop() {
    while (!stop) {
      String node = cluster.nodes().get(random.nextInt(cluster.nodes().size()));
      Duration life = Duration.ofMillis(2_000 + random.nextInt(4_000));
      long began = System.nanoTime();
      try {
        stream(node, life);
        if (System.nanoTime() - began < TimeUnit.MILLISECONDS.toNanos(500)) {
          Thread.sleep(300); // the stream ended at once (no leader there): do not spin
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.debug("subscriber {} stream to {} failed: {}", name, node, e.toString());
      }
    }
  }

  private ManagedChannel channel(String node) {
    synchronized (channels) {
      return channels.computeIfAbsent(node, n -> cluster.channel(n, identity));
    }
  }

  /** One stream to {@code node} for at most {@code life}, then cancelled. */
  private void stream(String node, Duration life) throws InterruptedException {
    long resume;
    StreamRecord rec;
    synchronized (this) {
      resume = applied;
      rec = new StreamRecord(resume, node, new ArrayList<>());
      streams.add(rec);
    }
    CountDownLatch ended = new CountDownLatch(1);
    AtomicBoolean closed = new AtomicBoolean();
    Context.CancellableContext ctx = Context.current().withCancellation();
    try {
      ctx.run(
          () -> {
            StreamObserver<SubscribeRequest>[] out = newOutArray();
            out[0] =
                DeltaServiceGrpc.newStub(channel(node))
                    .subscribe(
                        new StreamObserver<>() {
                          @Override
                          public void onNext(io.raftmesh.proto.v1.Delta d) {
                            synchronized (DeltaSubscriber.this) {
                              if (closed.get()) {
                                return; // a late delta of a stream given up: never applied
                              }
                              rec.deltas().add(ProtoDeltas.fromProto(d));
                              applied = d.getRevision();
                            }
                            synchronized (out) {
                              out[0].onNext(
                                  SubscribeRequest.newBuilder()
                                      .setAck(DeltaAck.newBuilder().setRevision(d.getRevision()))
                                      .build());
                            }
                          }

                          @Override
                          public void onError(Throwable t) {
                            ended.countDown();
                          }

                          @Override
                          public void onCompleted() {
                            ended.countDown();
                          }
                        });
            synchronized (out) {
              out[0].onNext(
                  SubscribeRequest.newBuilder()
                      .setStart(
                          SubscribeStart.newBuilder()
                              .setResumeRevision(resume)
                              .addTypes(ResourceType.SERVICE)
                              .setAgentVersion("chaos-harness"))
                      .build());
            }
          });
      ended.await(life.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      ctx.cancel(null);
    }
    // Let late callbacks of the cancelled stream finish before the next stream starts.
    ended.await(2, TimeUnit.SECONDS);
    synchronized (this) {
      closed.set(true);
    }
  }

  @SuppressWarnings("unchecked")
  private static StreamObserver<SubscribeRequest>[] newOutArray() {
    return (StreamObserver<SubscribeRequest>[]) new StreamObserver<?>[1];
  }

  /** Stops streaming (waits for the current stream to end). */
  void stop() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(15));
  }

  /** Everything received, for the checker. */
  synchronized SubscriberLog log() {
    List<DeltaStream> out = new ArrayList<>();
    for (StreamRecord s : streams) {
      out.add(new DeltaStream(s.resume(), List.copyOf(s.deltas())));
    }
    return new SubscriberLog(name, List.of("/service/"), out);
  }

  /** How many streams it opened. */
  synchronized int streamCount() {
    return streams.size();
  }

  @Override
  public void close() {
    synchronized (channels) {
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
  }
}
