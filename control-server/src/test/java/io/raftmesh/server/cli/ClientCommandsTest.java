package io.raftmesh.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ApplyResponse;
import io.raftmesh.proto.v1.ApplyResult;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.CreateJoinTokenResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.GetResponse;
import io.raftmesh.proto.v1.ListRequest;
import io.raftmesh.proto.v1.ListResponse;
import io.raftmesh.proto.v1.Member;
import io.raftmesh.proto.v1.NackRecord;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.NodeStatus;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import io.raftmesh.server.config.ResourceKeys;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands as a user runs them, against a fake control server on gRPC's in-process
 * transport: what they send, what they print, and their exit codes.
 */
class ClientCommandsTest {

  @TempDir Path dir;

  private final List<ApplyRequest> applied = new CopyOnWriteArrayList<>();
  private final List<ListRequest> listed = new CopyOnWriteArrayList<>();
  private Server server;
  private final List<ManagedChannel> opened = new ArrayList<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void startFakeServer() throws Exception {
    server =
        InProcessServerBuilder.forName("cp-good")
            .directExecutor()
            .addService(new FakeConfig())
            .addService(new FakeEnrollment())
            .addService(new FakeCluster())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    opened.forEach(ManagedChannel::shutdownNow);
    server.shutdownNow();
  }

  private Result runWithInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext context =
        new CliContext(
            Map.of(),
            new ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            options ->
                name -> {
                  ManagedChannel c =
                      InProcessChannelBuilder.forName(name.replace(":1", ""))
                          .directExecutor()
                          .build();
                  opened.add(c);
                  return c;
                });
    int code = RaftmeshMain.run(args, context, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private Result run(String... args) {
    return runWithInput("", args);
  }

  private static Resource service(String name) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("shop")
        .setName(name)
        .setMeta(ResourceMeta.newBuilder().setModRevision(4))
        .setService(
            ServiceSpec.newBuilder()
                .addPorts(ServicePort.newBuilder().setName("http").setPort(8080)))
        .build();
  }

  @Test
  void applySendsEveryDocumentAtomicallyAndReportsEachResource() throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(
        file,
        "kind: Service\nmetadata: {name: checkout, namespace: shop}\nspec: {ports: [{name: http, port: 8080}]}\n---\n"
            + "kind: Service\nmetadata: {name: cart, namespace: shop}\nspec: {ports: [{name: http, port: 8081}]}\n");

    Result r = run("apply", "--servers", "cp-good:1", "-f", file.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).getResourcesList())
        .extracting(Resource::getName)
        .containsExactly("checkout", "cart");
    assertThat(applied.get(0).getRequestId()).isNotEmpty();
    assertThat(r.out())
        .contains("service/shop/checkout created")
        .contains("service/shop/cart created")
        .contains("revision 7");
  }

  @Test
  void applyReadsStandardInput() {
    Result r =
        runWithInput(
            "kind: Service\nmetadata: {name: a}\nspec: {ports: [{name: p, port: 1}]}\n",
            "apply",
            "--servers",
            "cp-good:1",
            "-f",
            "-");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(applied.get(0).getResources(0).getNamespace()).isEqualTo("default");
  }

  @Test
  void invalidFileIsReportedWithPathsAndNothingIsSent() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "kind: Service\nmetadata: {name: a}\nspec: {prots: []}\n");

    Result r = run("apply", "--servers", "cp-good:1", "-f", file.toString());

    assertThat(r.code()).isEqualTo(RaftmeshMain.FAILURE);
    assertThat(r.err())
        .contains(file + ": document 1 (Service default/a): spec.prots: unknown field");
    assertThat(applied).isEmpty();
  }

  @Test
  void getListsEveryPageAsATable() {
    Result r = run("get", "services", "-n", "shop", "--servers", "cp-good:1");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(listed).hasSize(2);
    assertThat(listed.get(0).getNamespace()).isEqualTo("shop");
    assertThat(r.out().lines().toList())
        .first()
        .asString()
        .startsWith("NAME")
        .contains("PROTOCOL")
        .contains("PORTS");
    assertThat(r.out()).contains("checkout").contains("cart");
  }

  @Test
  void getAsYamlPrintsWhatApplyReads() {
    Result r =
        run("get", "service", "checkout", "-n", "shop", "-o", "yaml", "--servers", "cp-good:1");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(io.raftmesh.server.config.ResourceYaml.parse(r.out()).get(0).getService())
        .isEqualTo(service("checkout").getService());
  }

  @Test
  void getOfAMissingResourceSaysSoAndFails() {
    Result r = run("get", "service", "missing", "-n", "shop", "--servers", "cp-good:1");

    assertThat(r.code()).isEqualTo(RaftmeshMain.FAILURE);
    assertThat(r.err().strip()).isEqualTo("error: Service shop/missing not found");
  }

  @Test
  void unknownTypeAndMissingServersAreUsageErrors() {
    Result badType = run("get", "gadgets", "--servers", "cp-good:1");
    Result noServers = run("status");

    assertThat(badType.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(badType.err()).contains("TYPE=gadgets is not valid");
    assertThat(noServers.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(noServers.err()).contains("--servers is not valid: not set");
  }

  @Test
  void tokenCreateQuietPrintsOnlyTheToken() {
    Result r = run("token", "create", "--ttl", "2h", "--uses", "3", "-q", "--servers", "cp-good:1");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("rmt1.fake-token-2h-3\n");
  }

  @Test
  void tokenCreateRefusesOutOfRangeValuesBeforeCallingTheServer() {
    Result r = run("token", "create", "--ttl", "90d", "--servers", "cp-good:1");

    assertThat(r.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(r.err()).contains("--ttl=90d is not valid: expected 1m..30d");
  }

  @Test
  void statusShowsLeaderMembersAndNodesBehind() {
    Result r = run("status", "--servers", "cp-good:1");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("leader n2, term 5, revision 42")
        .contains("MEMBER")
        .contains("node-a")
        .contains("40: route shop/checkout: subset v3 unknown");
  }

  @Test
  void statusFromAFollowerIsAskedAgainOfTheLeaderWhoKnowsEveryMember() throws Exception {
    Server leader =
        InProcessServerBuilder.forName("cp-leader")
            .directExecutor()
            .addService(new FakeCluster("n2", "n2", ""))
            .build()
            .start();
    try {
      server.shutdownNow();
      server =
          InProcessServerBuilder.forName("cp-good")
              .directExecutor()
              .addService(new FakeCluster("n1", "n2", "cp-leader:1"))
              .build()
              .start();

      Result r = run("status", "--servers", "cp-good:1");

      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("answered by n2");
    } finally {
      leader.shutdownNow();
    }
  }

  @Test
  void statusKeepsTheFollowersAnswerWhenTheLeaderDoesNotAnswer() throws Exception {
    server.shutdownNow();
    server =
        InProcessServerBuilder.forName("cp-good")
            .directExecutor()
            .addService(new FakeCluster("n1", "n2", "cp-gone:1"))
            .build()
            .start();

    Result r = run("status", "--servers", "cp-good:1");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("leader n2").contains("answered by n1");
  }

  @Test
  void anUnreachableServerIsSkippedForTheNext() {
    Result r = run("status", "--servers", "cp-down:1,cp-good:1");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("leader n2");
  }

  @Test
  void whenNoServerAnswersTheErrorNamesEachOne() {
    Result r = run("status", "--servers", "cp-down:1,cp-gone:1", "--timeout", "2s");

    assertThat(r.code()).isEqualTo(RaftmeshMain.FAILURE);
    assertThat(r.err())
        .contains("no control server answered")
        .contains("cp-down:1")
        .contains("cp-gone:1");
  }

  private final class FakeConfig extends ConfigServiceGrpc.ConfigServiceImplBase {
    @Override
    public void apply(ApplyRequest request, StreamObserver<ApplyResponse> out) {
      applied.add(request);
      ApplyResponse.Builder r = ApplyResponse.newBuilder().setRevision(7);
      for (Resource res : request.getResourcesList()) {
        r.addResults(
            ApplyResult.newBuilder()
                .setKey(ResourceKeys.keyOf(res))
                .setChange(ApplyResult.Change.CREATED)
                .setModRevision(7));
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
      if (request.getKey().getName().equals("missing")) {
        out.onError(Status.NOT_FOUND.withDescription("not found").asRuntimeException());
        return;
      }
      out.onNext(GetResponse.newBuilder().setResource(service(request.getKey().getName())).build());
      out.onCompleted();
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> out) {
      listed.add(request);
      if (request.getPageToken().isEmpty()) {
        out.onNext(
            ListResponse.newBuilder().addResources(service("cart")).setNextPageToken("p2").build());
      } else {
        out.onNext(ListResponse.newBuilder().addResources(service("checkout")).build());
      }
      out.onCompleted();
    }
  }

  private static final class FakeEnrollment
      extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {
    @Override
    public void createJoinToken(
        CreateJoinTokenRequest request, StreamObserver<CreateJoinTokenResponse> out) {
      out.onNext(
          CreateJoinTokenResponse.newBuilder()
              .setToken(
                  "rmt1.fake-token-"
                      + request.getTtl().getSeconds() / 3600
                      + "h-"
                      + request.getMaxUses())
              .setTokenId("abc")
              .build());
      out.onCompleted();
    }
  }

  private static final class FakeCluster extends ClusterServiceGrpc.ClusterServiceImplBase {
    private final String serverId;
    private final String leaderId;
    private final String leaderApi;

    FakeCluster() {
      this("n1", "n2", "");
    }

    FakeCluster(String serverId, String leaderId, String leaderApi) {
      this.serverId = serverId;
      this.leaderId = leaderId;
      this.leaderApi = leaderApi;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
      out.onNext(
          StatusResponse.newBuilder()
              .setServerId(serverId)
              .setLeaderId(leaderId)
              .setTerm(5)
              .setRevision(42)
              .setAppliedIndex(90)
              .setCommitIndex(90)
              .addMembers(
                  Member.newBuilder()
                      .setId("n1")
                      .setRole("FOLLOWER")
                      .setRaftAddress("127.0.0.1:9001"))
              .addMembers(
                  Member.newBuilder()
                      .setId("n2")
                      .setRole("LEADER")
                      .setRaftAddress("127.0.0.1:9002")
                      .setApiAddress(leaderApi))
              .addNodes(
                  NodeStatus.newBuilder()
                      .setName("node-a")
                      .setRevisionsBehind(2)
                      .setSpec(
                          NodeSpec.newBuilder()
                              .setAckedRevision(40)
                              .setLastNack(
                                  NackRecord.newBuilder()
                                      .setRevision(40)
                                      .setReason("route shop/checkout: subset v3 unknown"))))
              .build());
      out.onCompleted();
    }
  }
}
