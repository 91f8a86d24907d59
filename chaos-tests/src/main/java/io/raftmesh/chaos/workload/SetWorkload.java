package io.raftmesh.chaos.workload;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.grpc.StatusRuntimeException;
import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.history.Completion;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.history.PendingOp;
import io.raftmesh.chaos.history.Worker;
import io.raftmesh.chaos.traffic.PlannedOp;
import io.raftmesh.chaos.traffic.UniqueValues;
import io.raftmesh.chaos.traffic.Workload;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.validate.SetChecker;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ApplyResponse;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.Consistency;
import io.raftmesh.proto.v1.ListRequest;
import io.raftmesh.proto.v1.ListResponse;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A set: each {@code add} creates a new service {@code set/<element>} (every element unique); a
 * {@code read} lists the namespace linearizably. After the heal every node is read once more. The
 * set checker then requires every acknowledged add in the final read (none lost), nothing that was
 * never added, no failed add present, and no read missing an add acknowledged before it began.
 */
public final class SetWorkload implements ChaosWorkload {
  static final String NAMESPACE = "set";

  private final Duration timeout;
  private final UniqueValues elements = new UniqueValues("e");

  /** Each request has {@code timeout}. */
  public SetWorkload(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "set";
  }

  @Override
  public Workload traffic(Cluster cluster) {
    List<String> nodes = cluster.nodes();
    return (worker, random) -> {
      String node = nodes.get(random.nextInt(nodes.size()));
      if (random.nextInt(10) == 0) {
        return new PlannedOp("read", null, null, () -> read(cluster, node));
      }
      String element = elements.next();
      return new PlannedOp(
          "add",
          null,
          JsonNodeFactory.instance.textNode(element),
          () -> add(cluster, node, element));
    };
  }

  private Completion add(Cluster cluster, String node, String element) {
    try {
      ApplyResponse r =
          ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .apply(
                  ApplyRequest.newBuilder()
                      .addResources(Resources.service(NAMESPACE, element, element))
                      .setRequestId(UUID.randomUUID().toString())
                      .build());
      return Completion.ok().withRevision(r.getRevision()).withNode(node);
    } catch (StatusRuntimeException e) {
      return Outcomes.failOrRethrow(e, node);
    }
  }

  /**
   * Every element, listed linearizably page by page (the pages of one read may differ in revision).
   */
  private Completion read(Cluster cluster, String node) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    String page = "";
    long revision = 0;
    for (int i = 0; i < 1_000; i++) {
      ListResponse r =
          ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
              .withDeadlineAfter(timeout.toMillis() * 3, TimeUnit.MILLISECONDS)
              .list(
                  ListRequest.newBuilder()
                      .setType(ResourceType.SERVICE)
                      .setNamespace(NAMESPACE)
                      .setLimit(1_000)
                      .setPageToken(page)
                      .setConsistency(Consistency.LINEARIZABLE)
                      .build());
      for (Resource res : r.getResourcesList()) {
        out.add(res.getName());
      }
      revision = Math.max(revision, r.getHeader().getRevision());
      page = r.getNextPageToken();
      if (page.isEmpty()) {
        return Completion.ok(out).withRevision(revision).withNode(node);
      }
    }
    throw new IllegalStateException("more than 1,000 pages listing " + NAMESPACE);
  }

  @Override
  public void finish(Cluster cluster, HistoryRecorder recorder) {
    Worker w = recorder.newWorker();
    for (String node : cluster.nodes()) {
      PendingOp op = w.invoke("read", null, null);
      Completion c;
      try {
        c = read(cluster, node);
      } catch (RuntimeException e) {
        c = Completion.info(e.toString());
      }
      op.complete(c);
    }
  }

  @Override
  public List<CheckResult> check(History history) {
    return List.of(SetChecker.check(history));
  }
}
