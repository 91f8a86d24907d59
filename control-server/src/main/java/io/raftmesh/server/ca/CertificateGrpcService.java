package io.raftmesh.server.ca;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.CertificateKind;
import io.raftmesh.proto.v1.CertificateRecord;
import io.raftmesh.proto.v1.CertificateResponse;
import io.raftmesh.proto.v1.CertificateServiceGrpc;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.GetTrustBundleRequest;
import io.raftmesh.proto.v1.InstallIssuerRequest;
import io.raftmesh.proto.v1.InstallIssuerResponse;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.ListCertificatesRequest;
import io.raftmesh.proto.v1.ListCertificatesResponse;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.RenewNodeRequest;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.SignPrivilegedRequest;
import io.raftmesh.proto.v1.SignWorkloadRequest;
import io.raftmesh.proto.v1.TrustBundle.Builder;
import io.raftmesh.server.auth.Caller;
import io.raftmesh.server.config.Endpoints;
import io.raftmesh.server.config.MeshSettings;
import io.raftmesh.server.config.Nodes;
import io.raftmesh.server.config.StoredResources;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.rpc.Unary;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CertificateService: workload certificates for the services a node hosts, node renewal, the trust
 * bundle, installing the issuing CA, and certificates for admins and servers. Every certificate is
 * recorded through {@link CertificateLedger} before it is returned.
 */
public final class CertificateGrpcService
    extends CertificateServiceGrpc.CertificateServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateGrpcService.class);
  private static final int ATTEMPTS = 5;

  private final StoreClient store;
  private final CertificateLedger ledger;
  private final MeshSettings settings;
  private final TrustDomain trustDomain;
  private final Supplier<TrustBundle> serverBundle;
  private final Clock clock;
  private final ServerMetrics metrics;
  private final Unary unary;
  private final Duration timeout;

  /** The service. {@code serverBundle} answers GetTrustBundle before an issuer is installed. */
  public CertificateGrpcService(
      StoreClient store,
      CertificateLedger ledger,
      MeshSettings settings,
      TrustDomain trustDomain,
      Supplier<TrustBundle> serverBundle,
      Clock clock,
      ServerMetrics metrics,
      Unary unary,
      Duration timeout) {
    this.store = store;
    this.ledger = ledger;
    this.settings = settings;
    this.trustDomain = trustDomain;
    this.serverBundle = serverBundle;
    this.clock = clock;
    this.metrics = metrics;
    this.unary = unary;
    this.timeout = timeout;
  }

  @Override
  public void signWorkload(SignWorkloadRequest request, StreamObserver<CertificateResponse> obs) {
    unary.respond(obs, () -> signWorkload(request, (Caller.Node) Caller.current()));
  }

  private CertificateResponse signWorkload(SignWorkloadRequest request, Caller.Node node) {
    SpiffeId id =
        new MeshIdentity.Workload(trustDomain, request.getNamespace(), request.getService())
            .spiffeId();
    Csr csr = Csr.parsePem(request.getCsrPem());
    String requestId = requestId(request.getRequestId());
    ByteString endpointKey =
        Endpoints.key(request.getNamespace(), request.getService(), node.name());
    return issueLoop(
        requestId,
        id,
        node.name(),
        reads -> {
          QueryResult r = PrefixScan.get(store, endpointKey, reads, timeout);
          Optional<EndpointSpec> endpoint =
              r.hasKv()
                  ? StoredResources.decode(r.getKv())
                      .filter(Resource::hasEndpoint)
                      .map(Resource::getEndpoint)
                  : Optional.empty();
          if (endpoint.isEmpty() || !endpoint.get().getNode().equals(node.name())) {
            metrics.authorizationFailures.labelValues("not_hosted").inc();
            LOG.warn(
                "refused workload certificate node={} service={}/{}: no endpoint on the node",
                node.name(),
                request.getNamespace(),
                request.getService());
            throw Status.PERMISSION_DENIED
                .withDescription(
                    "node "
                        + node.name()
                        + " hosts no endpoint of service "
                        + request.getNamespace()
                        + "/"
                        + request.getService()
                        + " (expected: register the endpoint first)")
                .asRuntimeException();
          }
          long revision = r.getKv().getModRevision();
          return ledger.issue(
              LeafRequest.forCsr(id, csr).lifetime(settings.current().workloadTtl()),
              CertificateKind.WORKLOAD_CERTIFICATE,
              node.name(),
              requestId,
              cert -> new Transaction().unchanged(endpointKey, revision));
        });
  }

  @Override
  public void renewNode(RenewNodeRequest request, StreamObserver<CertificateResponse> obs) {
    unary.respond(obs, () -> renewNode(request, (Caller.Node) Caller.current()));
  }

  private CertificateResponse renewNode(RenewNodeRequest request, Caller.Node node) {
    Csr csr = Csr.parsePem(request.getCsrPem());
    String requestId = requestId(request.getRequestId());
    ByteString nodeKey = Nodes.key(node.name());
    return issueLoop(
        requestId,
        node.spiffeId(),
        node.name(),
        reads -> {
          QueryResult r = PrefixScan.get(store, nodeKey, reads, timeout);
          NodeSpec spec =
              (r.hasKv() ? Nodes.spec(r.getKv()) : Optional.<NodeSpec>empty())
                  .orElseThrow(
                      () ->
                          Status.PERMISSION_DENIED
                              .withDescription("node " + node.name() + " is not enrolled")
                              .asRuntimeException());
          long revision = r.getKv().getModRevision();
          return ledger.issue(
              LeafRequest.forCsr(node.spiffeId(), csr).lifetime(settings.current().nodeTtl()),
              CertificateKind.NODE_CERTIFICATE,
              node.name(),
              requestId,
              cert ->
                  new Transaction()
                      .unchanged(nodeKey, revision)
                      .put(
                          nodeKey,
                          Nodes.value(
                              node.name(),
                              spec.toBuilder()
                                  .setCertificateSerial(cert.getSerial())
                                  .setCertificateNotAfter(cert.getNotAfter())
                                  .setLastSeen(Timestamps.fromMillis(clock.millis()))
                                  .build())));
        });
  }

  @Override
  public void signPrivileged(
      SignPrivilegedRequest request, StreamObserver<CertificateResponse> obs) {
    unary.respond(obs, () -> signPrivileged(request, Caller.current()));
  }

  private CertificateResponse signPrivileged(SignPrivilegedRequest request, Caller caller) {
    MeshIdentity identity =
        switch (request.getKind()) {
          case ADMIN_CERTIFICATE -> new MeshIdentity.Admin(trustDomain, request.getName());
          case SERVER_CERTIFICATE -> new MeshIdentity.ControlServer(trustDomain, request.getName());
          default ->
              throw new IllegalArgumentException(
                  "kind: "
                      + request.getKind()
                      + " (expected: ADMIN_CERTIFICATE or SERVER_CERTIFICATE)");
        };
    if (caller instanceof Caller.Control c
        && !(identity instanceof MeshIdentity.ControlServer s && s.id().equals(c.id()))) {
      throw Status.PERMISSION_DENIED
          .withDescription(
              caller.describe()
                  + " may only renew its own server certificate (expected: an admin caller)")
          .asRuntimeException();
    }
    if (identity instanceof MeshIdentity.Admin
        && (request.getDnsNamesCount() > 0 || request.getIpAddressesCount() > 0)) {
      throw new IllegalArgumentException(
          "dns_names, ip_addresses: set (expected: none for an admin certificate)");
    }
    Duration ttl =
        request.hasTtl()
            ? Duration.ofMillis(Durations.toMillis(request.getTtl()))
            : identity instanceof MeshIdentity.Admin ? Duration.ofDays(30) : Duration.ofDays(90);
    Csr csr = Csr.parsePem(request.getCsrPem());
    String requestId = requestId(request.getRequestId());
    SpiffeId id = identity.spiffeId();
    return issueLoop(
        requestId,
        id,
        "",
        reads ->
            ledger.issue(
                LeafRequest.forCsr(id, csr)
                    .lifetime(ttl)
                    .dnsNames(request.getDnsNamesList())
                    .ipAddresses(request.getIpAddressesList()),
                request.getKind(),
                "",
                requestId,
                cert -> new Transaction()));
  }

  /**
   * Answers a retried request id with its first certificate, else issues, retrying a bounded number
   * of times when a compare failed (a concurrent write to what the issuance depends on).
   */
  private CertificateResponse issueLoop(
      String requestId,
      SpiffeId id,
      String node,
      Function<ReadConsistency, Optional<CertificateLedger.Issued>> attempt) {
    for (int i = 0; i < ATTEMPTS; i++) {
      ReadConsistency reads = PrefixScan.barrier(store, timeout);
      Optional<CertificateRecord> prior = ledger.byRequestId(requestId, reads);
      if (prior.isPresent()) {
        if (!prior.get().getSpiffeId().equals(id.toString())
            || !prior.get().getNode().equals(node)) {
          throw Status.ALREADY_EXISTS
              .withDescription(
                  "request_id: already used for another certificate (expected: a new id)")
              .asRuntimeException();
        }
        return response(ledger.answer(prior.get()));
      }
      Optional<CertificateLedger.Issued> issued = attempt.apply(reads);
      if (issued.isPresent()) {
        return response(issued.get());
      }
    }
    throw Status.ABORTED
        .withDescription("certificate for " + id + " raced with other writes; retry")
        .asRuntimeException();
  }

  private static CertificateResponse response(CertificateLedger.Issued issued) {
    return CertificateResponse.newBuilder()
        .setCertificateChainPem(issued.chainPem())
        .setTrustBundlePem(issued.trustBundlePem())
        .setSpiffeId(issued.record().getSpiffeId())
        .setSerial(issued.record().getSerial())
        .setNotAfter(issued.record().getNotAfter())
        .build();
  }

  private static String requestId(String given) {
    if (given.isEmpty()) {
      return UUID.randomUUID().toString();
    }
    if (!given.matches("[A-Za-z0-9._:-]{1,100}")) {
      throw new IllegalArgumentException(
          "request_id: \"" + given + "\" (expected: 1..100 of [A-Za-z0-9._:-], e.g. a UUID)");
    }
    return given;
  }

  @Override
  public void getTrustBundle(
      GetTrustBundleRequest request, StreamObserver<io.raftmesh.proto.v1.TrustBundle> obs) {
    unary.respond(
        obs,
        () -> {
          TrustBundle bundle =
              ledger.issuers().find().map(IssuerStore.Loaded::bundle).orElseGet(serverBundle);
          Builder b =
              io.raftmesh.proto.v1.TrustBundle.newBuilder()
                  .setTrustBundlePem(bundle.toPem())
                  .setTrustDomain(trustDomain.name());
          for (Fingerprint f : bundle.fingerprints()) {
            b.addRootFingerprints(f.toString());
          }
          return b.build();
        });
  }

  @Override
  public void installIssuer(
      InstallIssuerRequest request, StreamObserver<InstallIssuerResponse> obs) {
    unary.respond(
        obs,
        () -> {
          if (!request.hasIssuer()) {
            throw new IllegalArgumentException("issuer: missing (expected: an IssuerRecord)");
          }
          IssuerStore.Installed installed =
              ledger
                  .issuers()
                  .install(
                      request.getIssuer(), request.getReplace(), "issuer/" + UUID.randomUUID());
          LOG.info(
              "InstallIssuer by={} changed={} revision={}",
              Caller.current().describe(),
              installed.changed(),
              installed.revision());
          return InstallIssuerResponse.newBuilder()
              .setRevision(installed.revision())
              .setChanged(installed.changed())
              .build();
        });
  }

  @Override
  public void listCertificates(
      ListCertificatesRequest request, StreamObserver<ListCertificatesResponse> obs) {
    unary.respond(
        obs,
        () -> {
          int limit = request.getLimit() == 0 ? 100 : request.getLimit();
          if (limit < 0 || limit > 10_000) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 0..10000)");
          }
          PrefixScan.Page page =
              PrefixScan.scan(
                  store,
                  ServerKeys.key(ServerKeys.CERTS),
                  ReadConsistency.LINEARIZABLE,
                  1_000_000,
                  timeout);
          List<CertificateRecord> records = new ArrayList<>();
          for (KeyValue kv : page.kvs()) {
            parse(kv)
                .filter(r -> request.getNode().isEmpty() || r.getNode().equals(request.getNode()))
                .ifPresent(r -> records.add(r.toBuilder().clearCertificatePem().build()));
          }
          Function<CertificateRecord, Long> notBefore = r -> Timestamps.toMillis(r.getNotBefore());
          records.sort(Comparator.comparing(notBefore).reversed());
          return ListCertificatesResponse.newBuilder()
              .addAllCertificates(records.subList(0, Math.min(limit, records.size())))
              .build();
        });
  }

  private static Optional<CertificateRecord> parse(KeyValue kv) {
    try {
      return Optional.of(CertificateRecord.parseFrom(kv.getValue()));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }
}
