package io.raftmesh.agent.proxy.it;

import static io.raftmesh.agent.proxy.testing.Resources.endpoint;
import static io.raftmesh.agent.proxy.testing.Resources.meshConfig;
import static io.raftmesh.agent.proxy.testing.Resources.millis;
import static io.raftmesh.agent.proxy.testing.Resources.policy;
import static io.raftmesh.agent.proxy.testing.Resources.route;
import static io.raftmesh.agent.proxy.testing.Resources.service;
import static io.raftmesh.agent.proxy.testing.TestMesh.NS;
import static io.raftmesh.agent.proxy.testing.TestMesh.TD;
import static io.raftmesh.agent.proxy.testing.TestMesh.inboundPort;
import static io.raftmesh.agent.proxy.testing.TestMesh.svc;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.raftmesh.agent.proxy.SidecarProxy;
import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.testing.Http1Client;
import io.raftmesh.agent.proxy.testing.HttpBackend;
import io.raftmesh.agent.proxy.testing.TestMesh;
import io.raftmesh.proto.v1.ConnectionPool;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.FaultAbort;
import io.raftmesh.proto.v1.FaultInjection;
import io.raftmesh.proto.v1.HealthCheck;
import io.raftmesh.proto.v1.HttpMatch;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.LbAlgorithm;
import io.raftmesh.proto.v1.LoadBalancer;
import io.raftmesh.proto.v1.OutlierDetection;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.RetryBudget;
import io.raftmesh.proto.v1.RetryPolicy;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Retries, timeouts, circuit breaking, outlier detection, health checks, faults and hot reload. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResilienceIT {
  private final TestMesh mesh = new TestMesh();
  private HttpBackend a;
  private HttpBackend b;
  private SidecarProxy apiA;
  private SidecarProxy apiB;
  private SidecarProxy web;
  private long revision;

  @BeforeAll
  void startMesh() throws Exception {
    a = new HttpBackend("a");
    b = new HttpBackend("b");
    apiA = mesh.server("api", AppProtocol.HTTP, a.address());
    apiB = mesh.server("api", AppProtocol.HTTP, b.address());
    web = mesh.client("web", List.of(LocalService.Upstream.http(svc("api"))));
  }

  @AfterAll
  void stopMesh() throws Exception {
    mesh.close();
    a.close();
    b.close();
  }

  @BeforeEach
  void reset() {
    a.behave((e, n) -> 200);
    b.behave((e, n) -> 200);
    a.resetCount();
    b.resetCount();
  }

  /** Base resources; {@code both} adds endpoint b as well as a. */
  private List<Resource> base(boolean both) {
    List<Resource> r = new ArrayList<>();
    r.add(meshConfig(TD, true)); // Permissive: no AuthorizationPolicy needed for these tests.
    r.add(service(NS, "web", Protocol.HTTP));
    r.add(service(NS, "api", Protocol.HTTP, "a:node=a", "b:node=b"));
    r.add(endpoint(NS, "api", "a", inboundPort(apiA, "api"), Map.of("node", "a")));
    if (both) {
      r.add(endpoint(NS, "api", "b", inboundPort(apiB, "api"), Map.of("node", "b")));
    }
    return r;
  }

  private void apply(List<Resource> r) throws Exception {
    mesh.applyAll(r, ++revision);
  }

  private Http1Client client() {
    return new Http1Client(web.outboundHttpAddress(svc("web")).getPort());
  }

  private static Resource retryRoute(int attempts, long perTryMillis, String... on) {
    RetryPolicy.Builder p =
        RetryPolicy.newBuilder()
            .setAttempts(attempts)
            .setBackoffBase(millis(1))
            .setBackoffMax(millis(5));
    if (perTryMillis > 0) {
      p.setPerTryTimeout(millis(perTryMillis));
    }
    for (String s : on) {
      p.addRetryOn(s);
    }
    return route(
        NS,
        "api",
        TrafficRouteSpec.newBuilder()
            .setDestination("api")
            .addRoutes(HttpRoute.newBuilder().setName("all").setRetry(p))
            .build());
  }

  private static Resource budget(double ratio, int minPerSecond, OutlierDetection outlier) {
    return policy(
        NS,
        "api",
        DestinationPolicySpec.newBuilder()
            .setDestination("api")
            .setLoadBalancer(LoadBalancer.newBuilder().setAlgorithm(LbAlgorithm.ROUND_ROBIN))
            .setRetryBudget(
                RetryBudget.newBuilder().setRatio(ratio).setMinRetriesPerSecond(minPerSecond))
            .setOutlierDetection(outlier)
            .build());
  }

  private static final OutlierDetection NO_EJECTION =
      OutlierDetection.newBuilder()
          .setConsecutive5Xx(1_000_000)
          .setConsecutiveConnectFailures(1_000_000)
          .build();

  @Test
  void retriesTurnThirtyPercentFailuresIntoSuccessWithinTheBudget() throws Exception {
    // Three of every ten answers fail, in a fixed pattern: at most three failures in a row, so
    // five attempts always suffice, and the outcome does not depend on luck.
    a.behave((e, n) -> n % 10 < 3 ? 503 : 200);
    List<Resource> r = base(false);
    r.add(retryRoute(5, 0, "5xx"));
    r.add(budget(0.8, 1, NO_EJECTION));
    apply(r);
    Http1Client c = client();
    int n = 600;
    int ok = 0;
    for (int i = 0; i < n; i++) {
      if (c.get("api", "/flaky").statusCode() == 200) {
        ok++;
      }
    }
    assertThat(ok).isEqualTo(n);
    assertThat(a.requests()).isGreaterThan(n); // Retries happened.

    // A tight budget: retries may add at most 5% of requests plus 1 per second.
    a.resetCount();
    r = base(false);
    r.add(retryRoute(5, 0, "5xx"));
    r.add(budget(0.05, 1, NO_EJECTION));
    apply(r);
    long start = System.nanoTime();
    ok = 0;
    for (int i = 0; i < n; i++) {
      if (c.get("api", "/flaky").statusCode() == 200) {
        ok++;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int extra = a.requests() - n;
    assertThat(extra).isLessThanOrEqualTo((int) (0.05 * n + 10 + Math.ceil(seconds) + 1));
    assertThat(ok).isLessThan(n - 50); // The budget, not the policy's 5 attempts, bounded retries.
  }

  @Test
  void hungBackendHitsPerTryTimeoutAndIsRetriedElsewhere() throws Exception {
    a.behave((e, n) -> -1); // Hangs.
    List<Resource> r = base(true);
    r.add(retryRoute(2, 300, "reset", "5xx"));
    r.add(budget(1.0, 100, NO_EJECTION));
    apply(r);
    Http1Client c = client();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> res = c.get("api", "/slow");
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).startsWith("b ");
    }
    b.behave((e, n) -> -1);
    HttpResponse<String> res = c.get("api", "/slow");
    assertThat(res.statusCode()).isEqualTo(504);
    assertThat(res.headers().firstValue("x-raftmesh-error")).hasValue("per-try-timeout");
  }

  @Test
  void circuitBreakerShedsBeyondMaxRequestsWithA503NamingTheLimit() throws Exception {
    a.behave(
        (e, n) -> {
          Thread.sleep(400);
          return 200;
        });
    List<Resource> r = base(false);
    r.add(
        policy(
            NS,
            "api",
            DestinationPolicySpec.newBuilder()
                .setDestination("api")
                .setConnectionPool(ConnectionPool.newBuilder().setMaxRequests(3))
                .build()));
    apply(r);
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<HttpResponse<String>>> fs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Http1Client c = client();
        fs.add(pool.submit(() -> c.get("api", "/held")));
      }
      int ok = 0;
      int shed = 0;
      for (Future<HttpResponse<String>> f : fs) {
        HttpResponse<String> res = f.get(30, TimeUnit.SECONDS);
        if (res.statusCode() == 200) {
          ok++;
        } else {
          assertThat(res.statusCode()).isEqualTo(503);
          assertThat(res.headers().firstValue("x-raftmesh-overflow")).hasValue("max-requests");
          shed++;
        }
      }
      assertThat(ok).isBetween(3, 9);
      assertThat(shed).isGreaterThanOrEqualTo(3);
      assertThat(counter(web, "raftmesh_proxy_circuit_breaker_overflows"))
          .isGreaterThanOrEqualTo(shed);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void outlierDetectionEjectsFailingEndpointAndBringsItBack() throws Exception {
    a.behave((e, n) -> 500);
    List<Resource> r = base(true);
    r.add(
        budget(
            0.2,
            10,
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(3)
                .setBaseEjectionTime(millis(1500))
                .setMaxEjectionPercent(50)
                .build()));
    apply(r);
    Http1Client c = client();
    for (int i = 0; i < 20; i++) {
      c.get("api", "/x");
    }
    int aBefore = a.requests();
    assertThat(aBefore).isBetween(3, 6); // Round robin until 3 failures in a row ejected it.
    for (int i = 0; i < 30; i++) {
      assertThat(c.get("api", "/x").statusCode()).isEqualTo(200);
    }
    assertThat(a.requests()).isEqualTo(aBefore);
    assertThat(counter(web, "raftmesh_proxy_ejections")).isGreaterThanOrEqualTo(1);
    a.behave((e, n) -> 200);
    Thread.sleep(1700); // The ejection time passes.
    for (int i = 0; i < 20; i++) {
      assertThat(c.get("api", "/x").statusCode()).isEqualTo(200);
    }
    assertThat(a.requests()).isGreaterThan(aBefore + 5);
  }

  @Test
  void activeHealthChecksTakeFailingEndpointOutOfRotation() throws Exception {
    a.behave((e, n) -> e.getRequestURI().getPath().equals("/healthz") ? 503 : 200);
    List<Resource> r = base(true);
    r.add(
        policy(
            NS,
            "api",
            DestinationPolicySpec.newBuilder()
                .setDestination("api")
                .setLoadBalancer(LoadBalancer.newBuilder().setAlgorithm(LbAlgorithm.ROUND_ROBIN))
                .setHealthCheck(
                    HealthCheck.newBuilder()
                        .setHttpPath("/healthz")
                        .setInterval(millis(100))
                        .setTimeout(millis(500))
                        .setUnhealthyThreshold(2)
                        .setHealthyThreshold(1))
                .build()));
    apply(r);
    Thread.sleep(800); // Several check rounds.
    a.resetCount();
    Http1Client c = client();
    for (int i = 0; i < 20; i++) {
      assertThat(c.get("api", "/work").body()).startsWith("b ");
    }
    a.behave((e, n) -> 200);
    Thread.sleep(800);
    int seenA = 0;
    for (int i = 0; i < 20; i++) {
      if (c.get("api", "/work").body().startsWith("a ")) {
        seenA++;
      }
    }
    assertThat(seenA).isGreaterThan(0);
    apply(base(true)); // Checks stop with the policy.
  }

  @Test
  void faultInjectionAbortsMatchingRequests() throws Exception {
    List<Resource> r = base(false);
    r.add(
        route(
            NS,
            "api",
            TrafficRouteSpec.newBuilder()
                .setDestination("api")
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("chaos")
                        .addMatches(HttpMatch.newBuilder().setPathPrefix("/chaos"))
                        .setFault(
                            FaultInjection.newBuilder()
                                .setAbort(
                                    FaultAbort.newBuilder().setHttpStatus(418).setPercentage(100))))
                .addRoutes(HttpRoute.newBuilder().setName("rest"))
                .build()));
    apply(r);
    Http1Client c = client();
    assertThat(c.get("api", "/chaos/1").statusCode()).isEqualTo(418);
    assertThat(c.get("api", "/calm").statusCode()).isEqualTo(200);
    assertThat(a.requests()).isEqualTo(1);
  }

  @Test
  void ringHashSendsTheSameKeyToTheSameEndpoint() throws Exception {
    List<Resource> r = base(true);
    r.add(
        policy(
            NS,
            "api",
            DestinationPolicySpec.newBuilder()
                .setDestination("api")
                .setLoadBalancer(
                    LoadBalancer.newBuilder()
                        .setAlgorithm(LbAlgorithm.RING_HASH)
                        .setHashHeader("x-user"))
                .build()));
    apply(r);
    Http1Client c = client();
    java.util.Set<String> seenForKey = new java.util.HashSet<>();
    java.util.Set<String> seenOverall = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      seenForKey.add(c.get("api", "/", "x-user", "alice").body().substring(0, 1));
    }
    for (int i = 0; i < 40; i++) {
      seenOverall.add(c.get("api", "/", "x-user", "user-" + i).body().substring(0, 1));
    }
    assertThat(seenForKey).hasSize(1);
    assertThat(seenOverall).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void configChangesMidLoadDropNoRequest() throws Exception {
    apply(base(true));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Http1Client c = client();
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 300; i++) {
                    try {
                      HttpResponse<String> res = c.send("POST", "api", "/load", "body-" + i);
                      if (res.statusCode() != 200 || !res.body().endsWith("body-" + i)) {
                        failures.incrementAndGet();
                      }
                    } catch (Exception e) {
                      failures.incrementAndGet();
                    }
                    done.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (int k = 0; k < 30 && done.get() < 1200; k++) {
        List<Resource> r = base(true);
        int w = (k % 2 == 0) ? 100 : 0;
        r.add(
            route(
                NS,
                "api",
                TrafficRouteSpec.newBuilder()
                    .setDestination("api")
                    .addRoutes(
                        HttpRoute.newBuilder()
                            .addSplit(WeightedTarget.newBuilder().setSubset("a").setWeight(w))
                            .addSplit(
                                WeightedTarget.newBuilder().setSubset("b").setWeight(100 - w)))
                    .build()));
        apply(k % 5 == 4 ? base(true) : r);
        Thread.sleep(50);
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(done.get()).isEqualTo(1200);
    assertThat(failures.get()).isZero();
  }

  private long counter(SidecarProxy p, String name) {
    for (MetricSnapshot s : mesh.registry(p).scrape()) {
      if (s.getMetadata().getName().equals(name) && s instanceof CounterSnapshot) {
        return (long)
            ((CounterSnapshot) s).getDataPoints().stream().mapToDouble(d -> d.getValue()).sum();
      }
    }
    return 0;
  }
}
