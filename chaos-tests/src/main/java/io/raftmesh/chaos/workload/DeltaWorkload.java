package io.raftmesh.chaos.workload;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.grpc.StatusRuntimeException;
import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.cluster.MeshIdentity;
import io.raftmesh.chaos.history.Completion;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.model.Change;
import io.raftmesh.chaos.model.ChangeLog;
import io.raftmesh.chaos.model.ProtoDeltas;
import io.raftmesh.chaos.model.StoreSnapshot;
import io.raftmesh.chaos.model.SubscriberLog;
import io.raftmesh.chaos.model.Upsert;
import io.raftmesh.chaos.traffic.PlannedOp;
import io.raftmesh.chaos.traffic.UniqueValues;
import io.raftmesh.chaos.traffic.Workload;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.validate.DeltaChecker;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.Consistency;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.KeyChange;
import io.raftmesh.proto.v1.ListChangesRequest;
import io.raftmesh.proto.v1.ListChangesResponse;
import io.raftmesh.proto.v1.ListRequest;
import io.raftmesh.proto.v1.ListResponse;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delta streams under faults. Writers put and delete services {@code deltas/d<i>} at random
 * servers; enrolled subscribers stream SERVICE deltas, hopping between servers and resuming from
 * the revision they applied. After the heal a marker write lets every subscriber catch up; then the
 * final read (a linearizable List) and the reference (every committed change, from the admin-only
 * {@code ClusterService.ListChanges}, never from the delta path) go to the {@link DeltaChecker}:
 * ordered, unique, atomic, gap-free, resumable, convergent.
 */
public final class DeltaWorkload implements ChaosWorkload {
  private static final Logger log = LoggerFactory.getLogger(DeltaWorkload.class);
  static final String NAMESPACE = "deltas";

  private final int keys;
  private final int subscriberCount;
  private final Duration timeout;
  private final long seed;
  private final UniqueValues values = new UniqueValues("v");
  private final List<DeltaSubscriber> subscribers = new ArrayList<>();
  private @Nullable ChangeLog reference;
  private @Nullable StoreSnapshot finalRead;
  private final List<SubscriberLog> logs = new ArrayList<>();

  /** {@code keys} services written, {@code subscriberCount} subscribers. */
  public DeltaWorkload(int keys, int subscriberCount, Duration timeout, long seed) {
    this.keys = keys;
    this.subscriberCount = subscriberCount;
    this.timeout = timeout;
    this.seed = seed;
  }

  @Override
  public String name() {
    return "deltas";
  }

  @Override
  public void setUp(Cluster cluster, HistoryRecorder recorder) throws Exception {
    for (int i = 0; i < subscriberCount; i++) {
      MeshIdentity id = Enroller.enrollNode(cluster, "sub" + i, Duration.ofMinutes(1));
      DeltaSubscriber s = new DeltaSubscriber("sub" + i, cluster, id, seed + i);
      subscribers.add(s);
      s.start();
    }
  }

  @Override
  public Workload traffic(Cluster cluster) {
    List<String> nodes = cluster.nodes();
    return (worker, random) -> {
      String key = "d" + random.nextInt(keys);
      String node = nodes.get(random.nextInt(nodes.size()));
      if (random.nextInt(5) == 0) {
        return new PlannedOp("delete", key, null, () -> delete(cluster, node, key));
      }
      String value = values.next();
      return new PlannedOp(
          "write",
          key,
          JsonNodeFactory.instance.textNode(value),
          () -> write(cluster, node, Resources.service(NAMESPACE, key, value)));
    };
  }

  private Completion write(Cluster cluster, String node, Resource r) {
    try {
      long rev =
          ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .apply(
                  ApplyRequest.newBuilder()
                      .addResources(r)
                      .setRequestId(UUID.randomUUID().toString())
                      .build())
              .getRevision();
      return Completion.ok().withRevision(rev).withNode(node);
    } catch (StatusRuntimeException e) {
      return Outcomes.failOrRethrow(e, node);
    }
  }

  private Completion delete(Cluster cluster, String node, String key) {
    try {
      long rev =
          ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .delete(
                  DeleteRequest.newBuilder()
                      .addKeys(Resources.serviceKey(NAMESPACE, key))
                      .setRequestId(UUID.randomUUID().toString())
                      .build())
              .getRevision();
      return Completion.ok().withRevision(rev).withNode(node);
    } catch (StatusRuntimeException e) {
      return Outcomes.failOrRethrow(e, node);
    }
  }

  @Override
  public void finish(Cluster cluster, HistoryRecorder recorder) throws Exception {
    String node = cluster.leader().orElse(cluster.nodes().get(0));
    long marker = retry(() -> markerWrite(cluster, node));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (DeltaSubscriber s : subscribers) {
      while (s.applied() < marker && System.nanoTime() - deadline < 0) {
        Thread.sleep(200);
      }
      if (s.applied() < marker) {
        log.warn("subscriber at {} < marker {} after 60 s", s.applied(), marker);
      }
    }
    for (DeltaSubscriber s : subscribers) {
      s.stop();
      logs.add(s.log());
    }
    finalRead = retry(() -> readAll(cluster, node));
    reference = retry(() -> changeLog(cluster, node));
  }

  private long markerWrite(Cluster cluster, String node) {
    return ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .apply(
            ApplyRequest.newBuilder()
                .addResources(Resources.service(NAMESPACE, "marker", "end"))
                .setRequestId(UUID.randomUUID().toString())
                .build())
        .getRevision();
  }

  private StoreSnapshot readAll(Cluster cluster, String node) {
    ListResponse r =
        ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
            .withDeadlineAfter(timeout.toMillis() * 3, TimeUnit.MILLISECONDS)
            .list(
                ListRequest.newBuilder()
                    .setType(ResourceType.SERVICE)
                    .setLimit(1_000)
                    .setConsistency(Consistency.LINEARIZABLE)
                    .build());
    if (!r.getNextPageToken().isEmpty()) {
      throw new IllegalStateException("more than 1,000 services: the final read needs one page");
    }
    Map<String, Upsert> values = new LinkedHashMap<>();
    for (Resource res : r.getResourcesList()) {
      Upsert u = ProtoDeltas.upsert(res);
      values.put(u.key(), u);
    }
    return new StoreSnapshot(r.getHeader().getRevision(), values);
  }

  /** Every committed change to a service key, from revision 1, page by page. */
  private ChangeLog changeLog(Cluster cluster, String node) throws Exception {
    List<Change> changes = new ArrayList<>();
    long after = 0;
    for (int page = 0; page < 100_000; page++) {
      ListChangesResponse r =
          ClusterServiceGrpc.newBlockingStub(cluster.channel(node))
              .withDeadlineAfter(timeout.toMillis() * 3, TimeUnit.MILLISECONDS)
              .listChanges(ListChangesRequest.newBuilder().setAfterRevision(after).build());
      for (ChangeRecord rec : r.getRecordsList()) {
        for (KeyChange c : rec.getChangesList()) {
          String key = c.getKv().getKey().toString(StandardCharsets.UTF_8);
          if (!key.startsWith("/service/")) {
            continue;
          }
          if (c.getKind() == KeyChange.Kind.DELETE) {
            changes.add(new Change(rec.getRevision(), key, null));
          } else {
            Resource res = Resource.parseFrom(c.getKv().getValue());
            changes.add(new Change(rec.getRevision(), key, ProtoDeltas.fingerprint(res)));
          }
        }
        after = rec.getRevision();
      }
      if (!r.getMore()) {
        return ChangeLog.of(changes);
      }
    }
    throw new IllegalStateException("change log longer than 100,000 pages");
  }

  /** A finishing step that may meet a cluster still settling: retried for up to a minute. */
  private interface Step<T> {
    T run() throws Exception;
  }

  private static <T> T retry(Step<T> step) throws Exception {
    Exception last = new IllegalStateException("no attempt");
    for (int i = 0; i < 60; i++) {
      try {
        return step.run();
      } catch (StatusRuntimeException e) {
        last = e;
        Thread.sleep(1_000);
      }
    }
    throw last;
  }

  @Override
  public List<CheckResult> check(History history) {
    if (reference == null || finalRead == null) {
      throw new IllegalStateException("finish() did not complete");
    }
    return List.of(DeltaChecker.check(reference, finalRead, logs));
  }

  @Override
  public void close() {
    for (DeltaSubscriber s : subscribers) {
      try {
        s.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      s.close();
    }
  }
}
