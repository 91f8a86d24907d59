package io.raftmesh.server.it;

import static io.raftmesh.server.testing.Resources.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import io.raftmesh.server.cli.RaftmeshMain;
import io.raftmesh.server.testing.Await;
import io.raftmesh.server.testing.Resources;
import io.raftmesh.server.testing.Scrape;
import io.raftmesh.server.testing.ServerProcess;
import io.raftmesh.server.testing.TestCluster;
import io.raftmesh.server.testing.TestPki;
import io.raftmesh.server.tls.MeshChannels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * {@code raftmesh server} as an operator runs it: three real processes configured by flags, by
 * environment variables and by a YAML file; writes and reads across them, a kill -9, a clean
 * SIGTERM; and the startup errors with their exit codes.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerProcessIT {
  @TempDir static Path dir;
  static TestPki pki;
  static final Map<String, Integer> raft = new LinkedHashMap<>();
  static final Map<String, Integer> grpc = new LinkedHashMap<>();
  static final Map<String, Integer> metrics = new LinkedHashMap<>();
  static final Map<String, ServerProcess> processes = new LinkedHashMap<>();
  static final List<ManagedChannel> channels = new ArrayList<>();
  static String peers;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir.resolve("pki"), List.of("n1", "n2", "n3"));
    List<String> items = new ArrayList<>();
    for (String id : List.of("n1", "n2", "n3")) {
      raft.put(id, TestCluster.freePort());
      grpc.put(id, TestCluster.freePort());
      metrics.put(id, TestCluster.freePort());
      items.add(id + "=127.0.0.1:" + raft.get(id));
    }
    peers = String.join(",", items);
    // n1: everything as flags.
    processes.put("n1", ServerProcess.start(flags("n1"), Map.of(), dir.resolve("n1.log")));
    // n2: everything from RAFTMESH_SERVER_* variables.
    Map<String, String> env = new LinkedHashMap<>();
    env.put("RAFTMESH_SERVER_ID", "n2");
    env.put("RAFTMESH_SERVER_PEERS", peers);
    env.put("RAFTMESH_SERVER_DATA_DIR", dir.resolve("data/n2").toString());
    env.put("RAFTMESH_SERVER_TLS_DIR", pki.serverTls("n2").toString());
    env.put("RAFTMESH_SERVER_KEK_FILE", pki.kekFile().toString());
    env.put("RAFTMESH_SERVER_ISSUER_FILE", pki.issuerFile().toString());
    env.put("RAFTMESH_SERVER_BIND_ADDRESS", "127.0.0.1");
    env.put("RAFTMESH_SERVER_GRPC_PORT", grpc.get("n2").toString());
    env.put("RAFTMESH_SERVER_METRICS_PORT", metrics.get("n2").toString());
    processes.put("n2", ServerProcess.start(List.of("server"), env, dir.resolve("n2.log")));
    // n3: a YAML file, with one setting overridden by the environment and one by a flag.
    Path yaml = dir.resolve("n3.yaml");
    Files.writeString(
        yaml,
        "id: n3\n"
            + "peers:\n"
            + "  n1: 127.0.0.1:"
            + raft.get("n1")
            + "\n"
            + "  n2: 127.0.0.1:"
            + raft.get("n2")
            + "\n"
            + "  n3: 127.0.0.1:"
            + raft.get("n3")
            + "\n"
            + "data-dir: "
            + dir.resolve("data/n3")
            + "\n"
            + "tls-dir: "
            + pki.serverTls("n3")
            + "\n"
            + "kek-file: "
            + pki.kekFile()
            + "\n"
            + "issuer-file: "
            + pki.issuerFile()
            + "\n"
            + "bind-address: 127.0.0.1\n"
            + "grpc-port: 1\n"
            + "metrics-port: 2\n"
            + "election-timeout-max: 700ms\n");
    processes.put(
        "n3",
        ServerProcess.start(
            List.of(
                "server",
                "--config",
                yaml.toString(),
                "--metrics-port",
                metrics.get("n3").toString()),
            Map.of("RAFTMESH_SERVER_GRPC_PORT", grpc.get("n3").toString()),
            dir.resolve("n3.log")));
    for (String id : processes.keySet()) {
      awaitServing(id);
    }
  }

  static List<String> flags(String id) {
    return List.of(
        "server",
        "--id",
        id,
        "--peers",
        peers,
        "--data-dir",
        dir.resolve("data/" + id).toString(),
        "--tls-dir",
        pki.serverTls(id).toString(),
        "--kek-file",
        pki.kekFile().toString(),
        "--issuer-file",
        pki.issuerFile().toString(),
        "--bind-address",
        "127.0.0.1",
        "--grpc-port",
        grpc.get(id).toString(),
        "--metrics-port",
        metrics.get(id).toString());
  }

  static ManagedChannel admin(String id) {
    ManagedChannel ch = MeshChannels.open("127.0.0.1:" + grpc.get(id), pki.admin());
    channels.add(ch);
    return ch;
  }

  static StatusResponse status(String id) {
    return ClusterServiceGrpc.newBlockingStub(admin(id))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance());
  }

  static void awaitServing(String id) {
    Await.until(
        "server " + id + " to serve with a leader\n" + processes.get(id).output(),
        Duration.ofSeconds(90),
        () -> {
          assertThat(processes.get(id).isAlive()).as("process %s alive", id).isTrue();
          return !status(id).getLeaderId().isEmpty();
        });
  }

  @AfterAll
  static void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    processes.values().forEach(ServerProcess::close);
  }

  @Test
  @Order(1)
  void threeProcessesServeWritesAndReadsAcrossEachOther() throws Exception {
    long revision =
        ConfigServiceGrpc.newBlockingStub(admin("n1"))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .apply(ApplyRequest.newBuilder().addResources(service("proc", "api")).build())
            .getRevision();
    var got =
        ConfigServiceGrpc.newBlockingStub(admin("n3"))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .get(
                GetRequest.newBuilder()
                    .setKey(Resources.key(ResourceType.SERVICE, "proc", "api"))
                    .build());
    assertThat(got.getResource().getMeta().getModRevision()).isEqualTo(revision);
    assertThat(status("n2").getMembersCount()).isEqualTo(3);

    String text = Scrape.get(metrics.get("n3"));
    assertThat(text).contains("raftmesh_build_info").contains("raftmesh_raft_term");
    Path promtool = Scrape.promtool();
    if (promtool != null) {
      String[] result = Scrape.promtoolCheck(promtool, text);
      assertThat(result[0]).as(result[1]).isEqualTo("0");
    }
    assertThat(processes.get("n3").output())
        .contains("control server n3 serving gRPC on 127.0.0.1:" + grpc.get("n3"));
  }

  @Test
  @Order(2)
  void aKilledProcessDoesNotStopTheOthersAndSigtermStopsCleanly() {
    String leader = status("n1").getLeaderId();
    processes.get(leader).kill();
    String survivor = leader.equals("n1") ? "n2" : "n1";
    Await.until(
        "a new leader after kill -9 of " + leader,
        Duration.ofSeconds(60),
        () -> {
          String l = status(survivor).getLeaderId();
          return !l.isEmpty() && !l.equals(leader);
        });
    long revision =
        ConfigServiceGrpc.newBlockingStub(admin(survivor))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .apply(ApplyRequest.newBuilder().addResources(service("proc", "after-kill")).build())
            .getRevision();
    assertThat(revision).isPositive();

    int code = processes.get(survivor).terminate();
    assertThat(code).as("exit code after SIGTERM (128+15)").isEqualTo(143);
    assertThat(processes.get(survivor).output())
        .contains("control server " + survivor + " stopped");
  }

  record Run(int code, String out, String err) {}

  static Run run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        RaftmeshMain.run(
            args.toArray(new String[0]), Map.of(), new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  static List<String> replace(List<String> args, String option, String value) {
    List<String> out = new ArrayList<>(args);
    int i = out.indexOf(option);
    out.set(i + 1, value);
    return out;
  }

  @Test
  @Order(3)
  void startupErrorsAreOneClearLineWithAnExitCode() throws Exception {
    // Every process is stopped by now: their data dirs and ports can be reused.
    processes.values().forEach(ServerProcess::close);
    List<String> good = flags("n1");

    Run noSelf = run(replace(good, "--peers", "n2=127.0.0.1:" + raft.get("n2")));
    assertThat(noSelf.code()).isEqualTo(2);
    assertThat(noSelf.err())
        .contains("--peers=")
        .contains("does not include this server (--id n1)");

    Run noKek = run(replace(good, "--kek-file", dir.resolve("missing.key").toString()));
    assertThat(noKek.code()).isEqualTo(2);
    assertThat(noKek.err())
        .contains("--kek-file=" + dir.resolve("missing.key") + " is not valid: no such file");

    Run noUnit = run(replace(good, "--grpc-port", "70000"));
    assertThat(noUnit.code()).isEqualTo(2);
    assertThat(noUnit.err()).contains("--grpc-port=70000 is not valid");

    Run otherServersCert = run(replace(good, "--tls-dir", pki.serverTls("n2").toString()));
    assertThat(otherServersCert.code()).isEqualTo(2);
    assertThat(otherServersCert.err())
        .contains("spiffe://mesh.test/control/n2")
        .contains("--id n1");

    Path unreadable = dir.resolve("unreadable.yaml");
    Files.writeString(unreadable, "grpc-prot: 1\n");
    Run typo = run(List.of("server", "--config", unreadable.toString()));
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).contains("unknown setting \"grpc-prot\"");

    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", grpc.get("n1")));
      Run portBusy = run(good);
      assertThat(portBusy.code()).isEqualTo(1);
      assertThat(portBusy.err())
          .contains("gRPC: cannot listen on 127.0.0.1:" + grpc.get("n1"))
          .contains("address already in use");
    }

    List<String> otherCluster = new ArrayList<>(good);
    otherCluster.addAll(List.of("--cluster-id", "another-cluster"));
    Run wrongCluster = run(otherCluster);
    assertThat(wrongCluster.code()).isEqualTo(1);
    assertThat(wrongCluster.err())
        .contains("belongs to cluster mesh.test")
        .contains("not cluster another-cluster");
    assertThat(wrongCluster.err()).doesNotContain("\tat ");
  }
}
