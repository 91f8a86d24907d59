package io.raftmesh.chaos.workload;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.raftmesh.chaos.validate.RegisterChecker;
import io.raftmesh.chaos.validate.RevisionChecker;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ApplyResponse;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.Consistency;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.GetResponse;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Registers: read, write and compare-and-set on a few keys (services {@code register/k<i>} whose
 * description is the value) through ConfigService, each at a random server; linearizable reads.
 * Checked per key for linearizability (WGL) and for a monotonic global revision.
 *
 * <p>A compare-and-set is {@code Apply} with {@code compare_revisions}: it expects the mod revision
 * the worker last saw for the key, recorded as {@code cas [value seen, new value]}; every value is
 * unique, so "mod revision R" and "the value written at R" are the same condition.
 */
public final class RegisterWorkload implements ChaosWorkload {
  static final String NAMESPACE = "register";

  private final int keys;
  private final Duration timeout;
  private final UniqueValues values = new UniqueValues("v");
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /** What a worker last saw of a key: its value and mod revision. */
  private record Seen(@Nullable String value, long modRevision) {}

  /** {@code keys} registers; each request has {@code timeout}. */
  public RegisterWorkload(int keys, Duration timeout) {
    if (keys < 1) {
      throw new IllegalArgumentException("keys: " + keys + " (expected: >= 1)");
    }
    this.keys = keys;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "register";
  }

  @Override
  public Workload traffic(Cluster cluster) {
    List<String> nodes = cluster.nodes();
    return (worker, random) -> {
      String key = "k" + random.nextInt(keys);
      String node = nodes.get(random.nextInt(nodes.size()));
      int dice = random.nextInt(4);
      Seen last = seen.get(worker + "/" + key);
      if (dice < 2) {
        return read(cluster, worker, node, key);
      }
      String value = values.next();
      if (dice == 2 || last == null) {
        return write(cluster, worker, node, key, value);
      }
      return cas(cluster, worker, node, key, last, value);
    };
  }

  private ConfigServiceGrpc.ConfigServiceBlockingStub stub(Cluster cluster, String node) {
    return ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private PlannedOp read(Cluster cluster, int worker, String node, String key) {
    return new PlannedOp("read", key, null, () -> doRead(cluster, worker, node, key));
  }

  private Completion doRead(Cluster cluster, int worker, String node, String key) {
    try {
      GetResponse r =
          stub(cluster, node)
              .get(
                  GetRequest.newBuilder()
                      .setKey(Resources.serviceKey(NAMESPACE, key))
                      .setConsistency(Consistency.LINEARIZABLE)
                      .build());
      String v = Resources.value(r.getResource());
      seen.put(worker + "/" + key, new Seen(v, r.getResource().getMeta().getModRevision()));
      return Completion.ok(JsonNodeFactory.instance.textNode(v))
          .withRevision(r.getHeader().getRevision())
          .withNode(node);
    } catch (StatusRuntimeException e) {
      if (Outcomes.notFound(e)) {
        seen.put(worker + "/" + key, new Seen(null, 0));
        return Completion.ok(JsonNodeFactory.instance.nullNode()).withNode(node);
      }
      throw e;
    }
  }

  private PlannedOp write(Cluster cluster, int worker, String node, String key, String value) {
    return new PlannedOp(
        "write",
        key,
        JsonNodeFactory.instance.textNode(value),
        () -> apply(cluster, worker, node, key, Resources.service(NAMESPACE, key, value), false));
  }

  private PlannedOp cas(
      Cluster cluster, int worker, String node, String key, Seen last, String value) {
    JsonNode arg =
        JsonNodeFactory.instance
            .arrayNode()
            .add(
                last.value() == null
                    ? JsonNodeFactory.instance.nullNode()
                    : JsonNodeFactory.instance.textNode(last.value()))
            .add(value);
    Resource r = Resources.service(NAMESPACE, key, value);
    Resource pinned =
        r.toBuilder().setMeta(ResourceMeta.newBuilder().setModRevision(last.modRevision())).build();
    return new PlannedOp("cas", key, arg, () -> apply(cluster, worker, node, key, pinned, true));
  }

  private Completion apply(
      Cluster cluster, int worker, String node, String key, Resource r, boolean compare) {
    try {
      ApplyResponse resp =
          stub(cluster, node)
              .apply(
                  ApplyRequest.newBuilder()
                      .addResources(r)
                      .setCompareRevisions(compare)
                      .setRequestId(UUID.randomUUID().toString())
                      .build());
      seen.put(
          worker + "/" + key, new Seen(Resources.value(r), resp.getResults(0).getModRevision()));
      return Completion.ok().withRevision(resp.getRevision()).withNode(node);
    } catch (StatusRuntimeException e) {
      seen.remove(worker + "/" + key);
      return Outcomes.failOrRethrow(e, node);
    }
  }

  @Override
  public void finish(Cluster cluster, HistoryRecorder recorder) throws Exception {
    // One final linearizable read of every key from every node: no acknowledged write lost.
    Worker w = recorder.newWorker();
    for (String node : cluster.nodes()) {
      for (int k = 0; k < keys; k++) {
        String key = "k" + k;
        PendingOp op = w.invoke("read", key, null);
        Completion c;
        try {
          c = doRead(cluster, -1, node, key);
        } catch (RuntimeException e) {
          c = Completion.info(e.toString());
        }
        op.complete(c);
      }
    }
  }

  @Override
  public List<CheckResult> check(History history) {
    List<CheckResult> out = new ArrayList<>();
    out.add(RegisterChecker.withTimeLimit(Duration.ofMinutes(2)).check(history));
    out.add(RevisionChecker.withMutatingFunctions(Set.of("write", "cas")).check(history));
    return out;
  }
}
