package io.raftmesh.chaos.workload;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.cluster.MeshIdentity;
import io.raftmesh.chaos.history.Completion;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.traffic.PlannedOp;
import io.raftmesh.chaos.traffic.Workload;
import io.raftmesh.chaos.validate.CertificateChecker;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.validate.IdObservation;
import io.raftmesh.chaos.validate.TokenUseChecker;
import io.raftmesh.chaos.validate.UniqueIdsChecker;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.CertificateRecord;
import io.raftmesh.proto.v1.CertificateResponse;
import io.raftmesh.proto.v1.CertificateServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.CreateJoinTokenResponse;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.JoinTokenRecord;
import io.raftmesh.proto.v1.ListCertificatesRequest;
import io.raftmesh.proto.v1.ListJoinTokensRequest;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.SignWorkloadRequest;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Identity under faults. {@code enroll}: a new node trades a one-use join token (picked at random
 * from a pool, so some are tried twice) and a CSR for a node certificate; {@code sign}: an enrolled
 * node asks for a workload certificate for a service it hosts. Checked: every returned certificate
 * verifies to the root and carries the expected SPIFFE ID and the reported serial; no serial is
 * issued for two certificates, counting those only the final listing shows; every acknowledged
 * issuance is in the listing; no token is used more often than it allows.
 */
public final class IdentityWorkload implements ChaosWorkload {
  static final String NAMESPACE = "identity";
  static final String SERVICE = "web";

  private final int tokens;
  private final Duration timeout;
  private final List<String> tokenIds = new ArrayList<>();
  private final Map<String, String> tokenSecrets = new LinkedHashMap<>();
  private final List<MeshIdentity> signers = new ArrayList<>();
  private final Map<String, ManagedChannel> signerChannels = new ConcurrentHashMap<>();
  private final List<CertificateChecker.Issued> issued = new CopyOnWriteArrayList<>();
  private final List<IdObservation> acknowledged = new CopyOnWriteArrayList<>();
  private final AtomicLong nodeNames = new AtomicLong();
  private final List<IdObservation> listing = new ArrayList<>();
  private final Map<String, Integer> observedUses = new LinkedHashMap<>();
  private String rootPem = "";
  private String trustDomain = "";

  /** A pool of {@code tokens} one-use tokens; each request has {@code timeout}. */
  public IdentityWorkload(int tokens, Duration timeout) {
    this.tokens = tokens;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "identity";
  }

  @Override
  public void setUp(Cluster cluster, HistoryRecorder recorder) throws Exception {
    rootPem = Files.readString(cluster.rootCertificate());
    trustDomain = cluster.trustDomain();
    String node = cluster.leader().orElse(cluster.nodes().get(0));
    for (int i = 0; i < tokens; i++) {
      CreateJoinTokenResponse t =
          Enroller.createToken(cluster, node, 1, Duration.ofHours(1), Duration.ofSeconds(10));
      tokenIds.add(t.getTokenId());
      tokenSecrets.put(t.getTokenId(), t.getToken());
    }
    ConfigServiceGrpc.newBlockingStub(cluster.channel(node))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .apply(
            ApplyRequest.newBuilder()
                .addResources(Resources.service(NAMESPACE, SERVICE, "signed workload"))
                .build());
    for (int i = 0; i < 2; i++) {
      MeshIdentity id = Enroller.enrollNode(cluster, "signer" + i, Duration.ofMinutes(1));
      signers.add(id);
      ManagedChannel ch = cluster.channel(node, id);
      try {
        RegistrationServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .register(
                RegisterRequest.newBuilder()
                    .addEndpoints(
                        EndpointRegistration.newBuilder()
                            .setNamespace(NAMESPACE)
                            .setService(SERVICE)
                            .setAddress("127.0.0.1")
                            .setPort(18080 + i))
                    .build());
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Override
  public Workload traffic(Cluster cluster) {
    List<String> nodes = cluster.nodes();
    return (worker, random) -> {
      String node = nodes.get(random.nextInt(nodes.size()));
      if (random.nextBoolean()) {
        String tokenId = tokenIds.get(random.nextInt(tokenIds.size()));
        String name = "node" + nodeNames.getAndIncrement();
        return new PlannedOp(
            TokenUseChecker.ENROLL,
            tokenId,
            JsonNodeFactory.instance.textNode(name),
            () -> enroll(cluster, node, tokenId, name));
      }
      int s = random.nextInt(signers.size());
      return new PlannedOp(
          "sign",
          SERVICE,
          JsonNodeFactory.instance.textNode("signer" + s),
          () -> sign(cluster, node, s));
    };
  }

  private Completion enroll(Cluster cluster, String node, String tokenId, String name) {
    KeyPair keys = Enroller.newKeyPair();
    String requestId = UUID.randomUUID().toString();
    try {
      EnrollResponse r =
          Enroller.enroll(
              cluster,
              node,
              requireNonNull(tokenSecrets.get(tokenId)),
              name,
              keys,
              requestId,
              timeout);
      record(
          requestId,
          "enroll " + name + " via " + node,
          "spiffe://" + trustDomain + "/node/" + name,
          r.getCertificateChainPem(),
          r.getSerial());
      return Completion.ok(JsonNodeFactory.instance.textNode(r.getSerial())).withNode(node);
    } catch (StatusRuntimeException e) {
      return Outcomes.failOrRethrow(e, node);
    }
  }

  private Completion sign(Cluster cluster, String node, int signer) {
    KeyPair keys = Enroller.newKeyPair();
    String requestId = UUID.randomUUID().toString();
    ManagedChannel ch =
        signerChannels.computeIfAbsent(
            signer + "@" + node, k -> cluster.channel(node, signers.get(signer)));
    try {
      CertificateResponse r =
          CertificateServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .signWorkload(
                  SignWorkloadRequest.newBuilder()
                      .setNamespace(NAMESPACE)
                      .setService(SERVICE)
                      .setCsrPem(Enroller.csrPem(keys, SERVICE))
                      .setRequestId(requestId)
                      .build());
      record(
          requestId,
          "sign by signer" + signer + " via " + node,
          "spiffe://" + trustDomain + "/ns/" + NAMESPACE + "/sa/" + SERVICE,
          r.getCertificateChainPem(),
          r.getSerial());
      return Completion.ok(JsonNodeFactory.instance.textNode(r.getSerial())).withNode(node);
    } catch (StatusRuntimeException e) {
      return Outcomes.failOrRethrow(e, node);
    }
  }

  /**
   * Records an acknowledged issuance. The request id names the issuance: the final listing carries
   * it (and no PEM body), so a serial listed under another request id was issued twice.
   */
  private void record(
      String requestId, String source, String spiffeId, String chainPem, String serial) {
    issued.add(new CertificateChecker.Issued(spiffeId, chainPem, serial, source));
    acknowledged.add(new IdObservation(serial, requestId, source));
  }

  @Override
  public void finish(Cluster cluster, HistoryRecorder recorder) throws Exception {
    String node = cluster.leader().orElse(cluster.nodes().get(0));
    Exception last = new IllegalStateException("no attempt");
    for (int i = 0; i < 60; i++) {
      try {
        List<CertificateRecord> certs =
            CertificateServiceGrpc.newBlockingStub(cluster.channel(node))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .listCertificates(ListCertificatesRequest.newBuilder().setLimit(10_000).build())
                .getCertificatesList();
        List<JoinTokenRecord> toks =
            EnrollmentServiceGrpc.newBlockingStub(cluster.channel(node))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .listJoinTokens(ListJoinTokensRequest.getDefaultInstance())
                .getTokensList();
        listing.clear();
        for (CertificateRecord c : certs) {
          listing.add(
              new IdObservation(c.getSerial(), c.getRequestId(), "listing " + c.getSpiffeId()));
        }
        observedUses.clear();
        for (JoinTokenRecord t : toks) {
          if (tokenSecrets.containsKey(t.getTokenId())) {
            observedUses.put(t.getTokenId(), t.getUses());
          }
        }
        return;
      } catch (StatusRuntimeException e) {
        last = e;
        Thread.sleep(1_000);
      }
    }
    throw last;
  }

  @Override
  public List<CheckResult> check(History history) {
    Map<String, Integer> maxUses = new LinkedHashMap<>();
    tokenIds.forEach(t -> maxUses.put(t, 1));
    return List.of(
        CertificateChecker.check(issued, rootPem, new Date()),
        UniqueIdsChecker.check("serials", acknowledged, listing, true),
        TokenUseChecker.check(history, maxUses, observedUses));
  }

  @Override
  public void close() {
    signerChannels.values().forEach(ManagedChannel::shutdownNow);
  }
}
