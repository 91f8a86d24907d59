package io.raftmesh.agent.testing;

import io.raftmesh.agent.subscribe.ResourceKeys;
import io.raftmesh.ca.token.JoinToken;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shared state behind fake control servers: a versioned resource store with a change log (the
 * store the real servers replicate with Raft), join tokens, idempotent issuance records, and what
 * each node acknowledged. Every fake server of a test reads and writes one instance, so an agent
 * that moves between them sees one history. Thread-safe (one monitor; waiters use it too).
 */
public final class FakeMesh {
  /** A change at a revision: the new resource, or null for a removal of {@code key}. */
  record Change(long revision, String key, ResourceKey resourceKey, Resource resource) {}

  /** What a node told the servers. */
  public record NodeRecord(long ackedRevision, long nackedRevision, String lastNackReason) {}

  public final TestPki pki;
  private long revision;
  private long compactFloor;
  private final Map<String, Resource> resources = new TreeMap<>();
  private final List<Change> log = new ArrayList<>();
  private final Map<String, int[]> tokenUses = new HashMap<>();
  private final Map<String, Instant> tokenExpiry = new HashMap<>();
  private final Map<String, Object> issued = new HashMap<>();
  private final Map<String, NodeRecord> nodes = new LinkedHashMap<>();
  private final List<String> enrolledNodes = new ArrayList<>();
  private volatile Duration workloadTtl = Duration.ofHours(24);
  private volatile Duration nodeTtl = Duration.ofHours(72);
  private volatile int issuedCount;

  public FakeMesh(TestPki pki) {
    this.pki = pki;
  }

  public void ttls(Duration node, Duration workload) {
    this.nodeTtl = node;
    this.workloadTtl = workload;
  }

  public Duration nodeTtl() {
    return nodeTtl;
  }

  public Duration workloadTtl() {
    return workloadTtl;
  }

  public synchronized String createToken(int uses, Duration ttl) {
    JoinToken token = JoinToken.generate(pki.fingerprint(), new SecureRandom());
    tokenUses.put(token.id(), new int[] {uses});
    tokenExpiry.put(token.id(), Instant.now().plus(ttl));
    return token.encoded();
  }

  /** Uses a token; false when unknown, used up or expired. */
  synchronized boolean useToken(JoinToken token) {
    int[] uses = tokenUses.get(token.id());
    Instant expiry = tokenExpiry.get(token.id());
    if (uses == null || expiry == null || uses[0] <= 0 || Instant.now().isAfter(expiry)) {
      return false;
    }
    uses[0]--;
    return true;
  }

  synchronized Object issuedFor(String requestId) {
    return issued.get(requestId);
  }

  synchronized void recordIssued(String requestId, Object response) {
    issued.put(requestId, response);
    issuedCount++;
  }

  public int issuedCount() {
    return issuedCount;
  }

  synchronized void enrolled(String node) {
    enrolledNodes.add(node);
  }

  public synchronized List<String> enrolledNodes() {
    return List.copyOf(enrolledNodes);
  }

  public synchronized long revision() {
    return revision;
  }

  /** Writes resources as one revision; returns it. */
  public synchronized long put(Resource... upserts) {
    revision++;
    for (Resource r : upserts) {
      String key = ResourceKeys.of(r);
      Resource old = resources.get(key);
      Resource stored =
          r.toBuilder()
              .setMeta(
                  r.getMeta().toBuilder()
                      .setModRevision(revision)
                      .setCreateRevision(old == null ? revision : old.getMeta().getCreateRevision())
                      .setVersion(old == null ? 1 : old.getMeta().getVersion() + 1))
              .build();
      resources.put(key, stored);
      log.add(new Change(revision, key, keyOf(stored), stored));
    }
    notifyAll();
    return revision;
  }

  /** Removes resources as one revision; returns it. */
  public synchronized long remove(ResourceType type, String namespace, String name) {
    revision++;
    String key = ResourceKeys.of(type, namespace, name);
    resources.remove(key);
    ResourceKey rk =
        ResourceKey.newBuilder().setType(type).setNamespace(namespace).setName(name).build();
    log.add(new Change(revision, key, rk, null));
    notifyAll();
    return revision;
  }

  public synchronized List<Resource> endpointsOf(String node) {
    List<Resource> out = new ArrayList<>();
    for (Resource r : resources.values()) {
      if (r.getType() == ResourceType.ENDPOINT && r.getEndpoint().getNode().equals(node)) {
        out.add(r);
      }
    }
    return out;
  }

  public synchronized Resource get(String key) {
    return resources.get(key);
  }

  /** Forgets the change log up to the current revision: older resumes get a reset. */
  public synchronized void compact() {
    compactFloor = revision;
    log.clear();
  }

  /** The delta from {@code after} to now (a reset when {@code after} is below the floor). */
  synchronized Delta deltaSince(long after, String serverId) {
    Delta.Builder d = Delta.newBuilder().setRevision(revision).setServerId(serverId);
    if (after < compactFloor || after > revision) {
      return d.setReset(true).setPreviousRevision(0).addAllUpserts(resources.values()).build();
    }
    d.setPreviousRevision(after);
    Map<String, Change> folded = new LinkedHashMap<>();
    for (Change c : log) {
      if (c.revision() > after) {
        folded.put(c.key(), c);
      }
    }
    for (Change c : folded.values()) {
      if (c.resource() == null) {
        d.addRemovals(c.resourceKey());
      } else {
        d.addUpserts(c.resource());
      }
    }
    return d.build();
  }

  /** Waits until the revision is above {@code after}, at most {@code millis}. */
  synchronized boolean awaitAbove(long after, long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (revision <= after) {
      long left = (end - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  synchronized void ack(String node, long rev) {
    NodeRecord r = nodes.getOrDefault(node, new NodeRecord(0, 0, ""));
    nodes.put(node, new NodeRecord(Math.max(r.ackedRevision(), rev), 0, ""));
    notifyAll();
  }

  synchronized void nack(String node, long rev, String reason) {
    NodeRecord r = nodes.getOrDefault(node, new NodeRecord(0, 0, ""));
    nodes.put(node, new NodeRecord(r.ackedRevision(), rev, reason));
    notifyAll();
  }

  public synchronized NodeRecord node(String node) {
    return nodes.getOrDefault(node, new NodeRecord(0, 0, ""));
  }

  static ResourceKey keyOf(Resource r) {
    return ResourceKey.newBuilder()
        .setType(r.getType())
        .setNamespace(r.getNamespace())
        .setName(r.getName())
        .build();
  }

  /** A Service resource. */
  public static Resource service(String namespace, String name, String label) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace(namespace)
        .setName(name)
        .setMeta(ResourceMeta.newBuilder().putLabels("note", label))
        .setService(
            io.raftmesh.proto.v1.ServiceSpec.newBuilder()
                .setProtocol(io.raftmesh.proto.v1.Protocol.HTTP)
                .addPorts(
                    io.raftmesh.proto.v1.ServicePort.newBuilder().setName("http").setPort(80)))
        .build();
  }
}
