package io.raftmesh.agent.proxy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.DestinationConfig;
import io.raftmesh.agent.proxy.config.EndpointConfig;
import io.raftmesh.agent.proxy.config.ServiceConfig;
import io.raftmesh.agent.proxy.config.ServiceName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadBalancingTest {
  private static final ServiceName API = new ServiceName("shop", "api");

  private static List<UpstreamHost> hosts(int n) {
    List<UpstreamHost> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new UpstreamHost(new EndpointConfig(API, "10.0.0." + i, 8443, Map.of(), 1, true)));
    }
    return out;
  }

  @Test
  void roundRobinVisitsEveryHostInTurn() {
    List<UpstreamHost> hs = hosts(3);
    HostSet set = new HostSet(hs, DestinationConfig.Algorithm.ROUND_ROBIN);
    Map<UpstreamHost, Integer> seen = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      seen.merge(set.pick(null, null), 1, Integer::sum);
    }
    assertThat(seen.values()).containsOnly(10);
  }

  @Test
  void leastRequestPrefersTheLessLoadedOfTwo() {
    List<UpstreamHost> hs = hosts(2);
    for (int i = 0; i < 5; i++) {
      hs.get(0).requestStarted();
    }
    HostSet set = new HostSet(hs, DestinationConfig.Algorithm.LEAST_REQUEST);
    for (int i = 0; i < 20; i++) {
      assertThat(set.pick(null, null)).isSameAs(hs.get(1));
    }
  }

  @Test
  void peakEwmaAvoidsTheSlowHost() {
    List<UpstreamHost> hs = hosts(2);
    hs.get(0).observeLatency(TimeUnit.MILLISECONDS.toNanos(200));
    hs.get(1).observeLatency(TimeUnit.MILLISECONDS.toNanos(2));
    HostSet set = new HostSet(hs, DestinationConfig.Algorithm.PEAK_EWMA);
    for (int i = 0; i < 20; i++) {
      assertThat(set.pick(null, null)).isSameAs(hs.get(1));
    }
  }

  @Test
  void ringHashIsStableAndRemovingAHostMovesOnlyItsKeys() {
    List<UpstreamHost> hs = hosts(5);
    HostSet all = new HostSet(hs, DestinationConfig.Algorithm.RING_HASH);
    HostSet fewer = new HostSet(hs.subList(0, 4), DestinationConfig.Algorithm.RING_HASH);
    int moved = 0;
    for (int k = 0; k < 1000; k++) {
      String key = "user-" + k;
      UpstreamHost a = all.pick(key, null);
      assertThat(all.pick(key, null)).isSameAs(a);
      UpstreamHost b = fewer.pick(key, null);
      if (a != b) {
        moved++;
        assertThat(a).isSameAs(hs.get(4));
      }
    }
    assertThat(moved).isBetween(100, 320); // About a fifth of the keys lived on the removed host.
  }

  @Test
  void pickAvoidsThePreviousHostAndFallsBackToAllWhenNoneIsAvailable() {
    List<UpstreamHost> hs = hosts(2);
    HostSet set = new HostSet(hs, DestinationConfig.Algorithm.PEAK_EWMA);
    for (int i = 0; i < 20; i++) {
      assertThat(set.pick(null, hs.get(0))).isSameAs(hs.get(1));
    }
    long now = System.nanoTime();
    hs.get(0).eject(now, TimeUnit.SECONDS.toNanos(30));
    hs.get(1).eject(now, TimeUnit.SECONDS.toNanos(30));
    assertThat(set.pick(null, null)).isIn(hs.get(0), hs.get(1)); // Panic mode.
  }

  @Test
  void outlierDetectionEjectsWithGrowingTimeAndRespectsTheMaxShare() {
    List<UpstreamHost> hs = hosts(4);
    DestinationConfig dc =
        new DestinationConfig(
            DestinationConfig.Algorithm.ROUND_ROBIN,
            "",
            10,
            10,
            10,
            1,
            1,
            new DestinationConfig.OutlierConfig(2, 2, TimeUnit.SECONDS.toNanos(1), 50),
            null,
            0.2,
            10);
    AtomicInteger ejections = new AtomicInteger();
    Cluster c =
        new Cluster(
            new ServiceConfig(
                API, AppProtocol.HTTP, List.of(), Map.of(), List.of(), List.of(), dc, null),
            hs,
            (cl, h) -> ejections.incrementAndGet());
    for (UpstreamHost h : hs) {
      c.recordOutcome(h, UpstreamHost.Outcome.SERVER_ERROR);
      c.recordOutcome(h, UpstreamHost.Outcome.SERVER_ERROR);
    }
    assertThat(ejections.get()).isEqualTo(2); // 50% of 4 hosts.
    long now = System.nanoTime();
    assertThat(hs.stream().filter(h -> h.isEjected(now)).count()).isEqualTo(2);
    UpstreamHost h = hs.get(0);
    long first = TimeUnit.SECONDS.toNanos(1);
    assertThat(h.eject(now, first)).isEqualTo(2 * first); // Second ejection of the same host.
    assertThat(h.eject(now, first)).isEqualTo(4 * first);
  }

  @Test
  void clusterRegistryKeepsHostStateAcrossRebuilds() {
    ClusterRegistry reg = new ClusterRegistry((c, h) -> {});
    var e1 = new EndpointConfig(API, "10.0.0.1", 8443, Map.of(), 1, true);
    var e2 = new EndpointConfig(API, "10.0.0.2", 8443, Map.of(), 1, true);
    var snap1 = snapshot(List.of(e1, e2));
    ClusterRegistry.Result r1 = reg.build(snap1);
    UpstreamHost kept = java.util.Objects.requireNonNull(r1.clusters().get(API)).hosts().get(0);
    ClusterRegistry.Result r2 = reg.build(snapshot(List.of(e1)));
    assertThat(java.util.Objects.requireNonNull(r2.clusters().get(API)).hosts())
        .containsExactly(kept);
    assertThat(r2.removed()).hasSize(1);
    assertThat(r2.removed().get(0).address()).isEqualTo("10.0.0.2");
  }

  private static io.raftmesh.agent.proxy.config.MeshSnapshot snapshot(List<EndpointConfig> eps) {
    ServiceConfig s =
        new ServiceConfig(
            API,
            AppProtocol.HTTP,
            eps,
            Map.of(),
            List.of(),
            List.of(),
            DestinationConfig.DEFAULT,
            null);
    return new io.raftmesh.agent.proxy.config.MeshSnapshot(
        1, "mesh.test", false, false, Map.of(API, s));
  }
}
