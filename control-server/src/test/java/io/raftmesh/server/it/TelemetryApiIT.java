package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.QueryTelemetryRequest;
import io.raftmesh.proto.v1.QueryTelemetryResponse;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.ReportTelemetryRequest;
import io.raftmesh.proto.v1.ReportTelemetryResponse;
import io.raftmesh.proto.v1.TelemetryServiceGrpc;
import io.raftmesh.proto.v1.TrafficDirection;
import io.raftmesh.server.cli.RaftmeshMain;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry on a real three-server cluster: nodes report only edges of services they host (a
 * foreign or malformed report stores nothing), each server keeps what it was sent, and {@code
 * raftmesh stats} merges every server's window exactly and names a server that does not answer.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TelemetryApiIT {
  private static final List<Double> BOUNDS = List.of(0.001, 0.01, 0.1, Double.POSITIVE_INFINITY);
  private static final TrafficDirection IN = TrafficDirection.TRAFFIC_DIRECTION_INBOUND;
  private static final TrafficDirection OUT = TrafficDirection.TRAFFIC_DIRECTION_OUTBOUND;

  @TempDir static Path dir;
  static TestCluster cluster;
  static TestAgent apiNode;
  static TestAgent webNode;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(dir, 3);
    String leader = cluster.leader();
    ConfigServiceGrpc.newBlockingStub(cluster.admin(leader))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .apply(
            ApplyRequest.newBuilder()
                .addResources(service("shop", "api"))
                .addResources(service("shop", "web"))
                .build());
    String token = TestAgent.token(cluster, leader, 2, Duration.ofMinutes(10));
    apiNode = TestAgent.enroll(cluster, leader, token, "node-api");
    webNode = TestAgent.enroll(cluster, leader, token, "node-web");
    register(apiNode, "api");
    register(webNode, "web");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void register(TestAgent node, String service) {
    RegistrationServiceGrpc.newBlockingStub(node.channel(cluster, cluster.leader()))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .register(
            RegisterRequest.newBuilder()
                .addEndpoints(
                    EndpointRegistration.newBuilder()
                        .setNamespace("shop")
                        .setService(service)
                        .setAddress("10.0.0.1")
                        .setPort(15443)
                        .setHealth(HealthStatus.HEALTHY))
                .build());
  }

  static EdgeTraffic edge(TrafficDirection d, long requests, long ok, long... buckets) {
    EdgeTraffic.Builder b =
        EdgeTraffic.newBuilder()
            .setDirection(d)
            .setSource("shop/web")
            .setDestination("shop/api")
            .setRequests(requests)
            .setSuccesses(ok)
            .addAllBucketUpperBoundsSeconds(BOUNDS);
    for (long c : buckets) {
      b.addBucketCounts(c);
    }
    return b.build();
  }

  private static ReportTelemetryResponse report(TestAgent node, String server, EdgeTraffic... e) {
    return TelemetryServiceGrpc.newBlockingStub(node.channel(cluster, server))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .report(ReportTelemetryRequest.newBuilder().addAllEdges(List.of(e)).build());
  }

  private static QueryTelemetryResponse window(String server) {
    return TelemetryServiceGrpc.newBlockingStub(cluster.admin(server))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .queryWindow(QueryTelemetryRequest.getDefaultInstance());
  }

  private record Run(int code, String out, String err) {}

  private static Run stats(String... args) {
    List<String> all = new ArrayList<>(List.of("stats"));
    all.addAll(List.of(args));
    all.add("--servers");
    all.add(String.join(",", cluster.runningIds().stream().map(cluster::target).toList()));
    all.add("--tls-dir");
    all.add(cluster.pki().adminTls().toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        RaftmeshMain.run(
            all.toArray(new String[0]), Map.of(), new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  @Order(1)
  void aNodeCannotReportAnEdgeOfAServiceItDoesNotHostAndTheWholeReportIsRefused() {
    // node-web hosts shop/web: the inbound side of web -> api belongs to node-api.
    assertThatThrownBy(
            () -> report(webNode, "n2", edge(OUT, 5, 5, 5, 0, 0, 0), edge(IN, 5, 5, 5, 0, 0, 0)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "edges[1]: inbound shop/web -> shop/api (expected: an edge whose destination"
                          + " shop/api has an endpoint on node node-web)");
            });
    assertThat(window("n2").getEdgesList()).as("not even the node's own edge was stored").isEmpty();
  }

  @Test
  @Order(2)
  void aMalformedReportIsRefusedNamingTheFieldAndStoresNothing() {
    assertThatThrownBy(
            () -> report(webNode, "n2", edge(OUT, 5, 5, 5, 0, 0, 0), edge(OUT, 5, 6, 5, 0, 0, 0)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("edges[1].successes: 6 (expected: 0..requests 5)");
            });
    assertThat(window("n2").getEdgesList()).isEmpty();
  }

  @Test
  @Order(3)
  void onlyAdminsReadWindowsAndOnlyNodesReport() {
    assertThatThrownBy(
            () ->
                TelemetryServiceGrpc.newBlockingStub(webNode.channel(cluster, "n1"))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .queryWindow(QueryTelemetryRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThatThrownBy(
            () ->
                TelemetryServiceGrpc.newBlockingStub(cluster.admin("n1"))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .report(ReportTelemetryRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
  }

  @Test
  @Order(4)
  void statsMergesTheWindowsOfEveryServerExactly() throws Exception {
    // The api side on n1; the web side split over n2 and n3 (as after a failover).
    assertThat(report(apiNode, "n1", edge(IN, 100, 95, 50, 40, 10, 0)).getAccepted()).isEqualTo(1);
    report(webNode, "n2", edge(OUT, 70, 66, 0, 60, 10, 0));
    report(webNode, "n3", edge(OUT, 30, 29, 0, 30, 0, 0));
    report(webNode, "n3", edge(OUT, 10, 10, 0, 10, 0, 0));
    assertThat(window("n3").getEdgesList())
        .singleElement()
        .satisfies(e -> assertThat(e.getRequests()).isEqualTo(40));

    Run table = stats();
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("servers: n1, n2, n3")
        .containsPattern("(?m)^shop/api\\s+100\\s+\\S+\\s+95\\.00%\\s")
        .containsPattern("(?m)^shop/web\\s+shop/api\\s+110\\s+\\S+\\s+95\\.45%\\s");

    Run json = stats("shop/api", "-o", "json", "--window", "30s");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertThat(root.get("services")).hasSize(1);
    JsonNode api = root.get("services").get(0);
    assertThat(api.get("service").asText()).isEqualTo("shop/api");
    assertThat(api.get("requests").asLong()).isEqualTo(100);
    assertThat(api.get("successes").asLong()).isEqualTo(95);
    // 50 of 100 in (0, 1ms]: the median is the top of that bucket.
    assertThat(api.get("p50_seconds").asDouble()).isEqualTo(0.001);
    JsonNode edge = root.get("edges").get(0);
    assertThat(edge.get("requests").asLong()).isEqualTo(110);
    assertThat(edge.get("successes").asLong()).isEqualTo(105);
    assertThat(root.get("servers"))
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.get("answered").asBoolean()).isTrue());
  }

  @Test
  @Order(5)
  void statsNamesAServerThatDoesNotAnswerAndShowsTheOthers() {
    cluster.stop("n3");
    Run run = stats();
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("n3 (no answer)")
        .containsPattern("(?m)^shop/web\\s+shop/api\\s+70\\s");
    assertThat(run.err()).contains("not every server answered").contains("n3");
  }
}
