package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.key;
import static io.raftmesh.server.testing.Resources.route;
import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ApplyResponse;
import io.raftmesh.proto.v1.ApplyResult;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc.ConfigServiceBlockingStub;
import io.raftmesh.proto.v1.Consistency;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.GetResponse;
import io.raftmesh.proto.v1.ListRequest;
import io.raftmesh.proto.v1.ListResponse;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.testing.TestAgent;
import io.raftmesh.server.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ConfigService on a real three-server cluster: atomic validated batches, reads anywhere, access.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConfigApiIT {
  @TempDir static Path dir;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(dir, 3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ConfigServiceBlockingStub config(String server) {
    return ConfigServiceGrpc.newBlockingStub(cluster.admin(server))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static ApplyRequest batch(Resource... resources) {
    return ApplyRequest.newBuilder().addAllResources(List.of(resources)).build();
  }

  @Test
  void applyOnOneServerIsReadOnAnother() {
    String follower = cluster.follower();
    String other =
        cluster.runningIds().stream().filter(id -> !id.equals(follower)).findFirst().orElseThrow();

    ApplyResponse applied =
        config(follower)
            .apply(
                batch(service("shop", "checkout"), route("shop", "checkout", "checkout", 90, 10)));

    assertThat(applied.getResultsList())
        .extracting(ApplyResult::getChange)
        .containsExactly(ApplyResult.Change.CREATED, ApplyResult.Change.CREATED);
    GetResponse got =
        config(other)
            .get(
                GetRequest.newBuilder()
                    .setKey(key(ResourceType.TRAFFIC_ROUTE, "shop", "checkout"))
                    .build());
    assertThat(got.getResource().getTrafficRoute().getRoutes(0).getSplit(0).getWeight())
        .isEqualTo(90);
    assertThat(got.getResource().getMeta().getModRevision()).isEqualTo(applied.getRevision());
    assertThat(got.getHeader().getServedBy()).isEqualTo(other);
    assertThat(got.getHeader().getRevision()).isGreaterThanOrEqualTo(applied.getRevision());

    ApplyResponse again = config(other).apply(batch(service("shop", "checkout")));
    assertThat(again.getResults(0).getChange()).isEqualTo(ApplyResult.Change.UNCHANGED);
    assertThat(again.getResults(0).getModRevision()).isEqualTo(applied.getRevision());
  }

  @Test
  void badBatchWritesNothingAndNamesTheFieldPath() {
    String server = cluster.leader();

    assertThatThrownBy(
            () ->
                config(server)
                    .apply(
                        batch(
                            service("bad", "payments"),
                            route("bad", "payments", "payments", 140, 10))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains(
                      "trafficRoute[bad/payments].spec.routes[0].split[0].weight: 140 (expected: 0..100)");
              BadRequest details = badRequest(e);
              assertThat(details.getFieldViolationsList())
                  .anySatisfy(
                      v ->
                          assertThat(v.getField())
                              .isEqualTo(
                                  "trafficRoute[bad/payments].spec.routes[0].split[0].weight"));
            });

    for (String id : cluster.runningIds()) {
      assertThatThrownBy(
              () ->
                  config(id)
                      .get(
                          GetRequest.newBuilder()
                              .setKey(key(ResourceType.SERVICE, "bad", "payments"))
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
    ListResponse after =
        config(server)
            .list(
                ListRequest.newBuilder().setType(ResourceType.SERVICE).setNamespace("bad").build());
    assertThat(after.getResourcesList()).isEmpty();
  }

  @Test
  void routeToAnUnknownServiceOrSubsetIsRefused() {
    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> config(cluster.leader()).apply(batch(route("ghost", "r", "nowhere", 50, 50))));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("trafficRoute[ghost/r].spec.destination");
  }

  @Test
  void aNodeIdentityCannotWriteConfig() {
    String token = TestAgent.token(cluster, cluster.leader(), 1, Duration.ofMinutes(10));
    TestAgent agent = TestAgent.enroll(cluster, cluster.follower(), token, "writer-node");
    ConfigServiceBlockingStub asNode =
        ConfigServiceGrpc.newBlockingStub(agent.channel(cluster, cluster.leader()))
            .withDeadlineAfter(30, TimeUnit.SECONDS);

    assertThatThrownBy(() -> asNode.apply(batch(service("evil", "svc"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .contains("spiffe://mesh.test/node/writer-node")
                  .contains("ConfigService/Apply");
            });
    // ...but it may read.
    assertThat(
            asNode
                .list(ListRequest.newBuilder().setType(ResourceType.SERVICE).build())
                .getHeader()
                .getServedBy())
        .isEqualTo(cluster.leader());
    assertThatThrownBy(
            () ->
                config(cluster.leader())
                    .get(
                        GetRequest.newBuilder()
                            .setKey(key(ResourceType.SERVICE, "evil", "svc"))
                            .build()))
        .isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void aClientWithoutACertificateIsRefused() {
    ConfigServiceBlockingStub anonymous =
        ConfigServiceGrpc.newBlockingStub(cluster.anonymous(cluster.follower()))
            .withDeadlineAfter(30, TimeUnit.SECONDS);

    assertThatThrownBy(() -> anonymous.apply(batch(service("anon", "svc"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> anonymous.list(ListRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  @Test
  void compareRevisionsRefusesAStaleWriteAndWritesNothing() {
    ApplyResponse first = config(cluster.leader()).apply(batch(service("cas", "a", 1)));
    Resource stale = service("cas", "a", 2);
    config(cluster.leader()).apply(batch(service("cas", "a", 3)));
    Resource withOldRevision =
        stale.toBuilder()
            .setMeta(stale.getMeta().toBuilder().setModRevision(first.getRevision()))
            .build();

    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                config(cluster.follower())
                    .apply(batch(withOldRevision).toBuilder().setCompareRevisions(true).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(e.getStatus().getDescription()).contains("service[cas/a].metadata.modRevision");
    GetResponse now =
        config(cluster.leader())
            .get(GetRequest.newBuilder().setKey(key(ResourceType.SERVICE, "cas", "a")).build());
    assertThat(now.getResource().getService().getDescription()).isEqualTo("change 3");
  }

  @Test
  void aRetriedApplyWithTheSameRequestIdGetsTheFirstAnswer() {
    String id = UUID.randomUUID().toString();
    ApplyRequest request = batch(service("idem", "svc", 1)).toBuilder().setRequestId(id).build();
    ApplyResponse first = config(cluster.leader()).apply(request);
    ApplyResponse retried = config(cluster.follower()).apply(request);

    assertThat(retried).isEqualTo(first);
    assertThat(first.getResults(0).getChange()).isEqualTo(ApplyResult.Change.CREATED);
  }

  @Test
  void deletingAReferencedServiceIsRefusedUnlessItsReferrersGoToo() {
    config(cluster.leader())
        .apply(batch(service("del", "api"), route("del", "api-route", "api", 50, 50)));
    DeleteRequest onlyService =
        DeleteRequest.newBuilder().addKeys(key(ResourceType.SERVICE, "del", "api")).build();

    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class, () -> config(cluster.follower()).delete(onlyService));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).contains("TrafficRoute del/api-route");

    var deleted =
        config(cluster.follower())
            .delete(
                onlyService.toBuilder()
                    .addKeys(key(ResourceType.TRAFFIC_ROUTE, "del", "api-route"))
                    .build());
    assertThat(deleted.getDeletedList()).hasSize(2);
  }

  @Test
  void listPagesThroughEveryResourceWithLabelSelectorsAndStaleReads() {
    List<Resource> services = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      services.add(service("page", "svc-" + i, i % 2));
    }
    ApplyResponse applied =
        config(cluster.leader()).apply(ApplyRequest.newBuilder().addAllResources(services).build());

    List<String> names = new ArrayList<>();
    String token = "";
    for (int page = 0; page < 10; page++) {
      ListResponse r =
          config(cluster.follower())
              .list(
                  ListRequest.newBuilder()
                      .setType(ResourceType.SERVICE)
                      .setNamespace("page")
                      .setLimit(3)
                      .setPageToken(token)
                      .build());
      r.getResourcesList().forEach(res -> names.add(res.getName()));
      token = r.getNextPageToken();
      if (token.isEmpty()) {
        break;
      }
    }
    assertThat(names)
        .containsExactly("svc-0", "svc-1", "svc-2", "svc-3", "svc-4", "svc-5", "svc-6");

    ListResponse odd =
        config(cluster.follower())
            .list(
                ListRequest.newBuilder()
                    .setType(ResourceType.SERVICE)
                    .setNamespace("page")
                    .putLabelSelector("n", "1")
                    .setConsistency(Consistency.STALE)
                    .build());
    assertThat(odd.getHeader().getStale()).isTrue();
    assertThat(odd.getHeader().getRevision()).isGreaterThanOrEqualTo(applied.getRevision());
    assertThat(odd.getResourcesList())
        .extracting(Resource::getName)
        .containsExactly("svc-1", "svc-3", "svc-5");
  }

  static BadRequest badRequest(StatusRuntimeException e) {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    assertThat(s).isNotNull();
    try {
      return s.getDetails(0).unpack(BadRequest.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException x) {
      throw new AssertionError(x);
    }
  }
}
