package io.raftmesh.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.Backoff;
import io.raftmesh.agent.control.ControlServers;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.ReportTelemetryRequest;
import io.raftmesh.proto.v1.ReportTelemetryResponse;
import io.raftmesh.proto.v1.TelemetryServiceGrpc;
import io.raftmesh.proto.v1.TrafficDirection;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sender against two fake telemetry servers on gRPC's in-process transport. */
class TelemetrySenderTest {
  private static final HostPort A = new HostPort("in-process", 1);
  private static final HostPort B = new HostPort("in-process", 2);
  private static final List<Double> BOUNDS = List.of(0.01, Double.POSITIVE_INFINITY);

  /** A telemetry service that records reports or fails with a set status. */
  static final class FakeTelemetry extends TelemetryServiceGrpc.TelemetryServiceImplBase {
    final List<ReportTelemetryRequest> got = new CopyOnWriteArrayList<>();
    volatile @Nullable Status failWith;

    @Override
    public void report(ReportTelemetryRequest r, StreamObserver<ReportTelemetryResponse> obs) {
      Status f = failWith;
      if (f != null) {
        obs.onError(f.asRuntimeException());
        return;
      }
      got.add(r);
      obs.onNext(ReportTelemetryResponse.newBuilder().setAccepted(r.getEdgesCount()).build());
      obs.onCompleted();
    }
  }

  private final FakeTelemetry a = new FakeTelemetry();
  private final FakeTelemetry b = new FakeTelemetry();
  private final List<Server> servers = new ArrayList<>();
  private final AtomicReference<@Nullable HostPort> streaming = new AtomicReference<>();
  private final List<List<EdgeTraffic>> toDrain = new CopyOnWriteArrayList<>();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private ControlServers control;
  private TelemetrySender sender;

  @BeforeEach
  void start() throws Exception {
    servers.add(
        InProcessServerBuilder.forName("tel-1").directExecutor().addService(a).build().start());
    servers.add(
        InProcessServerBuilder.forName("tel-2").directExecutor().addService(b).build().start());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore empty = KeyStore.getInstance(KeyStore.getDefaultType());
    empty.load(null, null);
    kmf.init(empty, new char[0]);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    control =
        new ControlServers(
            List.of(A, B),
            (server, keys, trust) ->
                InProcessChannelBuilder.forName("tel-" + server.port()).directExecutor().build(),
            (X509ExtendedKeyManager) kmf.getKeyManagers()[0],
            (X509ExtendedTrustManager) tmf.getTrustManagers()[0],
            new Backoff(Duration.ofMillis(1), Duration.ofMillis(2), new Random(1)),
            new Random(1));
    sender =
        new TelemetrySender(
            "node-a",
            control,
            streaming::get,
            () -> toDrain.isEmpty() ? List.of() : toDrain.remove(0),
            Duration.ofSeconds(5),
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
            registry);
  }

  @AfterEach
  void stop() {
    sender.close();
    control.close();
    servers.forEach(Server::shutdownNow);
  }

  private static EdgeTraffic edge(long requests, long ok, long fast, long slow) {
    return EdgeTraffic.newBuilder()
        .setDirection(TrafficDirection.TRAFFIC_DIRECTION_OUTBOUND)
        .setSource("shop/web")
        .setDestination("shop/api")
        .setRequests(requests)
        .setSuccesses(ok)
        .addAllBucketUpperBoundsSeconds(BOUNDS)
        .addAllBucketCounts(List.of(fast, slow))
        .build();
  }

  @Test
  void reportsToTheServerTheConfigStreamIsOn() {
    streaming.set(B);
    toDrain.add(List.of(edge(3, 2, 3, 0)));
    sender.tick();
    assertThat(a.got).isEmpty();
    assertThat(b.got)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getNode()).isEqualTo("node-a");
              assertThat(r.getEdgesList()).containsExactly(edge(3, 2, 3, 0));
            });
  }

  @Test
  void closingSendsWhatWasCountedSinceTheLastReportOnce() {
    streaming.set(A);
    toDrain.add(List.of(edge(3, 3, 3, 0)));
    sender.tick();
    toDrain.add(List.of(edge(2, 1, 0, 2)));

    sender.close();
    sender.close(); // twice (the agent and the test both close it): still one last report

    assertThat(a.got).hasSize(2);
    assertThat(a.got.get(1).getEdgesList()).containsExactly(edge(2, 1, 0, 2));
  }

  @Test
  void whenTheStreamingServerFailsAnotherOneGetsTheReport() {
    streaming.set(B);
    b.failWith = Status.UNAVAILABLE;
    toDrain.add(List.of(edge(1, 1, 1, 0)));
    sender.tick();
    assertThat(a.got).hasSize(1);
  }

  @Test
  void undeliveredSummariesAreKeptAndMergedIntoTheNextReport() {
    a.failWith = Status.UNAVAILABLE;
    b.failWith = Status.DEADLINE_EXCEEDED;
    toDrain.add(List.of(edge(3, 2, 3, 0)));
    sender.tick();
    toDrain.add(List.of(edge(4, 4, 1, 3)));
    sender.tick();
    assertThat(a.got).isEmpty();
    assertThat(b.got).isEmpty();

    a.failWith = null;
    b.failWith = null;
    sender.tick(); // nothing new drained: what is pending still goes
    List<ReportTelemetryRequest> all = new ArrayList<>(a.got);
    all.addAll(b.got);
    assertThat(all)
        .singleElement()
        .satisfies(r -> assertThat(r.getEdgesList()).containsExactly(edge(7, 6, 4, 3)));
    sender.tick();
    assertThat(a.got.size() + b.got.size()).as("delivered once").isEqualTo(1);
  }

  @Test
  void aRefusedReportIsDroppedNotRetried() {
    streaming.set(A);
    a.failWith = Status.PERMISSION_DENIED.withDescription("edges[0]: not yours");
    toDrain.add(List.of(edge(3, 3, 3, 0)));
    sender.tick();
    a.failWith = null;
    sender.tick();
    assertThat(a.got).isEmpty();
    assertThat(b.got).isEmpty();
  }

  @Test
  void pendingSummariesOlderThanTheBoundAreDropped() {
    PendingTraffic p = new PendingTraffic(Duration.ofSeconds(60), 1);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    p.add(List.of(edge(1, 1, 1, 0)), t0, t0.plusSeconds(5));
    p.add(List.of(edge(2, 2, 2, 0)), t0.plusSeconds(5), t0.plusSeconds(30));
    assertThat(p.edges()).containsExactly(edge(3, 3, 3, 0));
    assertThat(p.since()).isEqualTo(t0);
    // A second edge does not fit (max 1 pending edge).
    p.add(
        List.of(edge(1, 1, 1, 0).toBuilder().setDestination("shop/db").build()),
        t0.plusSeconds(30),
        t0.plusSeconds(40));
    assertThat(p.droppedFull()).isEqualTo(1);
    // 61 s after the oldest pending interval began, it is dropped before the new one is added.
    p.add(List.of(edge(5, 5, 5, 0)), t0.plusSeconds(55), t0.plusSeconds(61));
    assertThat(p.droppedAged()).isEqualTo(1);
    assertThat(p.edges()).containsExactly(edge(5, 5, 5, 0));
    assertThat(p.since()).isEqualTo(t0.plusSeconds(55));
  }
}
