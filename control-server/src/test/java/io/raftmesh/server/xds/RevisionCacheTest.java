package io.raftmesh.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RevisionCacheTest {
  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String LDS = Resources.V3.LISTENER_TYPE_URL;

  private final AtomicLong nanos = new AtomicLong();
  private final RevisionCache cache = new RevisionCache(Duration.ofSeconds(30), nanos::get);
  private final List<Response> responses = new ArrayList<>();
  private final List<DeltaResponse> deltas = new ArrayList<>();

  static Cluster cluster(String name, int timeoutSeconds) {
    return ClusterTranslation.cluster(name, null).toBuilder()
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(timeoutSeconds))
        .build();
  }

  void publish(long revision, Cluster... clusters) {
    Map<String, Message> cds = new TreeMap<>();
    for (Cluster c : clusters) {
      cds.put(c.getName(), c);
    }
    Map<String, Map<String, ? extends Message>> next = new HashMap<>();
    next.put(CDS, cds);
    next.put(LDS, Map.of());
    cache.publish(XdsSnapshot.next(cache.snapshot(), revision, next));
  }

  void request(String version, Set<String> known, String... names) {
    request(version, known, false, names);
  }

  void request(String version, Set<String> known, boolean nack, String... names) {
    DiscoveryRequest.Builder r =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .setVersionInfo(version)
            .addAllResourceNames(List.of(names));
    if (nack) {
      r.setErrorDetail(Status.newBuilder().setMessage("bad cluster"));
    }
    cache.createWatch(true, XdsRequest.create(r.build()), known, responses::add, false, false);
  }

  static List<String> names(Response r) {
    List<String> out = new ArrayList<>();
    r.resources().forEach(m -> out.add(((Cluster) m).getName()));
    return out;
  }

  @Test
  void answersWithTheNamedResourcesThatExistInsteadOfWaitingForAll() {
    publish(5, cluster("ns/a", 1), cluster("ns/b", 1));

    request("", Set.of(), "ns/a", "ns/missing");

    assertThat(responses).hasSize(1);
    assertThat(names(responses.get(0))).containsExactly("ns/a");
    assertThat(responses.get(0).version()).isEqualTo("5");
  }

  @Test
  void anAcknowledgedVersionWaitsForTheNextChangeOfItsType() {
    publish(5, cluster("ns/a", 1));
    request("5", Set.of("ns/a"), "ns/a");
    assertThat(responses).isEmpty();

    publish(6, cluster("ns/a", 1)); // same content: the type's version stays 5
    assertThat(responses).isEmpty();

    publish(7, cluster("ns/a", 2));
    assertThat(responses).hasSize(1);
    assertThat(responses.get(0).version()).isEqualTo("7");
  }

  @Test
  void aNackedVersionIsNotSentAgainOnlyANewerOne() {
    publish(5, cluster("ns/a", 1));
    request("", Set.of(), "ns/a");
    assertThat(responses).hasSize(1);

    request("", Set.of(), true, "ns/a"); // NACK of version 5
    publish(6, cluster("ns/a", 1)); // unchanged type: nothing new to offer
    assertThat(responses).as("the refused version is not re-sent").hasSize(1);

    publish(7, cluster("ns/a", 3));
    assertThat(responses).hasSize(2);
    assertThat(responses.get(1).version()).isEqualTo("7");
  }

  @Test
  void aRemovedClusterIsStillServedToClientsThatAskForItByName() {
    publish(5, cluster("ns/a", 1), cluster("ns/b", 1));
    request("5", Set.of("ns/a", "ns/b"), "ns/a", "ns/b");

    publish(6, cluster("ns/a", 1));
    assertThat(responses).hasSize(1);
    assertThat(names(responses.get(0)))
        .as("make-before-break: b is kept while the client still asks for it")
        .containsExactly("ns/a", "ns/b");

    nanos.addAndGet(Duration.ofMinutes(5).toNanos());
    request("6", Set.of("ns/a", "ns/b"), "ns/a", "ns/b"); // still asked for: waits, keeps b
    publish(7, cluster("ns/a", 2));
    assertThat(names(responses.get(1))).containsExactly("ns/a", "ns/b");

    request("7", Set.of("ns/a"), "ns/a"); // the client stopped asking for b
    publish(8, cluster("ns/a", 3));
    request("8", Set.of("ns/a"), "ns/a", "ns/b"); // asking again after it was dropped
    assertThat(responses).hasSize(3);
    assertThat(names(responses.get(2))).containsExactly("ns/a");
  }

  @Test
  void aClientAheadOfThisReplicaWaitsForItToCatchUp() {
    publish(5, cluster("ns/a", 1));
    request("9", Set.of(), "ns/a");
    assertThat(responses).isEmpty();

    cache.advance(8);
    assertThat(responses).isEmpty();
    cache.advance(9);
    assertThat(responses).hasSize(1);
  }

  @Test
  void nothingIsAnsweredBeforeTheFirstSnapshot() {
    request("", Set.of(), "ns/a");
    assertThat(responses).isEmpty();
    publish(3, cluster("ns/a", 1));
    assertThat(responses).hasSize(1);
  }

  @Test
  void deltaWatchesGetChangesAndRemovalsSinceWhatTheClientHolds() {
    publish(5, cluster("ns/a", 1), cluster("ns/b", 1));
    DeltaXdsRequest wildcard =
        DeltaXdsRequest.create(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS).build());

    cache.createDeltaWatch(wildcard, "", Map.of(), Set.of(), true, deltas::add, false);
    assertThat(deltas).hasSize(1);
    assertThat(deltas.get(0).resources()).containsOnlyKeys("ns/a", "ns/b");

    cache.createDeltaWatch(
        wildcard, "5", Map.of("ns/a", "5", "ns/b", "5"), Set.of(), true, deltas::add, false);
    assertThat(deltas).hasSize(1);
    publish(6, cluster("ns/a", 2));
    assertThat(deltas).hasSize(2);
    assertThat(deltas.get(1).resources()).containsOnlyKeys("ns/a");
    assertThat(deltas.get(1).removedResources())
        .as("a wildcard subscriber is told of removals at once")
        .containsExactly("ns/b");
    assertThat(java.util.Objects.requireNonNull(deltas.get(1).resources().get("ns/a")).version())
        .isEqualTo("6");
    assertThat(deltas.get(1).version()).isEqualTo("6");
  }
}
