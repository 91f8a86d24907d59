package io.raftmesh.server.registration;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftmesh.proto.v1.DeregisterRequest;
import io.raftmesh.proto.v1.DeregisterResponse;
import io.raftmesh.proto.v1.EndpointRef;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.HealthReport;
import io.raftmesh.proto.v1.HeartbeatRequest;
import io.raftmesh.proto.v1.HeartbeatResponse;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegisterResponse;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.ReportHealthRequest;
import io.raftmesh.proto.v1.ReportHealthResponse;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.auth.Caller;
import io.raftmesh.server.config.ConfigMarker;
import io.raftmesh.server.config.Endpoints;
import io.raftmesh.server.config.MeshSettings;
import io.raftmesh.server.config.ResourceKeys;
import io.raftmesh.server.config.ResourceValidator;
import io.raftmesh.server.config.StoredResources;
import io.raftmesh.server.rpc.Unary;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.RememberedAnswers;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import io.raftmesh.store.StoreMember;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RegistrationService: a node writes endpoints on itself only (the node comes from its
 * certificate), for services that exist; health is written only when it changes; heartbeats are
 * kept in memory and folded into {@link NodeReports}.
 */
public final class RegistrationGrpcService
    extends RegistrationServiceGrpc.RegistrationServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationGrpcService.class);
  private static final int ATTEMPTS = 5;
  private static final int MAX_ENDPOINTS = 1000;

  private final StoreMember member;
  private final StoreClient store;
  private final NodeReports reports;
  private final MeshSettings settings;
  private final RememberedAnswers answers;
  private final ResourceValidator validator = new ResourceValidator();
  private final Clock clock;
  private final Unary unary;
  private final Duration timeout;

  /** The service. */
  public RegistrationGrpcService(
      StoreMember member,
      NodeReports reports,
      MeshSettings settings,
      RememberedAnswers answers,
      Clock clock,
      Unary unary,
      Duration timeout) {
    this.member = member;
    this.store = member.client();
    this.reports = reports;
    this.settings = settings;
    this.answers = answers;
    this.clock = clock;
    this.unary = unary;
    this.timeout = timeout;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> observer) {
    unary.respond(observer, () -> register(request, (Caller.Node) Caller.current()));
  }

  private RegisterResponse register(RegisterRequest request, Caller.Node node) {
    int n = request.getEndpointsCount();
    if (n < 1 || n > MAX_ENDPOINTS) {
      throw new IllegalArgumentException("endpoints: " + n + " items (expected: 1..1000)");
    }
    String requestId = requestId(request.getRequestId());
    if (!requestId.isEmpty()) {
      Optional<RememberedAnswers.Answer<RegisterResponse>> first =
          answers.find("register/" + node.name(), requestId, RegisterResponse.parser());
      if (first.isPresent()) {
        return first.get().answer().toBuilder().setRevision(first.get().revision()).build();
      }
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ReadConsistency reads = PrefixScan.barrier(store, timeout);
      Transaction txn = new Transaction();
      RegisterResponse.Builder response = RegisterResponse.newBuilder();
      Set<ByteString> seen = new HashSet<>();
      for (int i = 0; i < n; i++) {
        EndpointRegistration e = request.getEndpoints(i);
        String at = "endpoints[" + i + "]";
        ByteString serviceKey = serviceKey(e.getNamespace(), e.getService(), at);
        QueryResult service = PrefixScan.get(store, serviceKey, reads, timeout);
        if (!service.hasKv()) {
          throw Status.FAILED_PRECONDITION
              .withDescription(
                  at
                      + ".service: \""
                      + e.getNamespace()
                      + "/"
                      + e.getService()
                      + "\" (expected: an existing Service; apply it first)")
              .asRuntimeException();
        }
        txn.unchanged(serviceKey, service.getKv().getModRevision());
        ByteString key = Endpoints.key(e.getNamespace(), e.getService(), node.name());
        if (!seen.add(key)) {
          throw new IllegalArgumentException(at + ": registered twice (expected: once)");
        }
        QueryResult current = PrefixScan.get(store, key, reads, timeout);
        Optional<Resource> stored =
            current.hasKv() ? StoredResources.decode(current.getKv()) : Optional.empty();
        Resource endpoint = endpoint(e, node.name(), stored);
        validator.validate(endpoint);
        txn.unchanged(key, current.hasKv() ? current.getKv().getModRevision() : 0);
        if (stored.isEmpty()
            || !StoredResources.value(stored.get()).equals(StoredResources.value(endpoint))) {
          txn.put(key, StoredResources.value(endpoint));
        }
        response.addEndpoints(endpoint);
      }
      ConfigMarker.touch(txn);
      RegisterResponse answer = response.build();
      if (!requestId.isEmpty()) {
        answers.remember(txn, "register/" + node.name(), requestId, answer);
      }
      StoreResult result =
          PrefixScan.await(store.txn("register/" + UUID.randomUUID(), txn.build()), timeout);
      if (result.getSucceeded()) {
        PrefixScan.announceCommit(store);
        LOG.info(
            "endpoints registered node={} count={} revision={}",
            node.name(),
            n,
            result.getRevision());
        return withRevisions(answer, result.getRevision());
      }
    }
    throw Status.ABORTED
        .withDescription("registration raced with other writes; retry")
        .asRuntimeException();
  }

  private static RegisterResponse withRevisions(RegisterResponse answer, long revision) {
    RegisterResponse.Builder b = answer.toBuilder().setRevision(revision);
    for (int i = 0; i < b.getEndpointsCount(); i++) {
      Resource r = b.getEndpoints(i);
      b.setEndpoints(i, r.toBuilder().setMeta(r.getMeta().toBuilder().setModRevision(revision)));
    }
    return b.build();
  }

  private Resource endpoint(EndpointRegistration e, String node, Optional<Resource> stored) {
    EndpointSpec.Builder spec =
        EndpointSpec.newBuilder()
            .setService(e.getService())
            .setNode(node)
            .setAddress(e.getAddress())
            .setPort(e.getPort())
            .setHealth(e.getHealth())
            .setWeight(e.getWeight() == 0 ? 1 : e.getWeight())
            .setLocality(e.getLocality());
    spec.setRegisteredAt(
        stored
            .filter(Resource::hasEndpoint)
            .map(r -> r.getEndpoint().getRegisteredAt())
            .orElse(Timestamps.fromMillis(clock.millis())));
    return Resource.newBuilder()
        .setType(ResourceType.ENDPOINT)
        .setNamespace(e.getNamespace())
        .setName(Endpoints.name(e.getService(), node))
        .setMeta(ResourceMeta.newBuilder().putAllLabels(e.getLabelsMap()))
        .setEndpoint(spec)
        .build();
  }

  private static ByteString serviceKey(String namespace, String service, String at) {
    if (namespace.isEmpty()
        || service.isEmpty()
        || namespace.contains("/")
        || service.contains("/")) {
      throw new IllegalArgumentException(
          at
              + ": \""
              + namespace
              + "/"
              + service
              + "\" (expected: a namespace and a service name)");
    }
    return ByteString.copyFrom(
        ResourceKeys.storeKey(
            ResourceKey.newBuilder()
                .setType(ResourceType.SERVICE)
                .setNamespace(namespace)
                .setName(service)
                .build()));
  }

  @Override
  public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> observer) {
    unary.respond(observer, () -> deregister(request, (Caller.Node) Caller.current()));
  }

  private DeregisterResponse deregister(DeregisterRequest request, Caller.Node node) {
    if (request.getAll() == (request.getEndpointsCount() > 0)) {
      throw new IllegalArgumentException(
          "endpoints, all: "
              + request.getEndpointsCount()
              + " endpoints and all="
              + request.getAll()
              + " (expected: either endpoints or all=true)");
    }
    String requestId = requestId(request.getRequestId());
    if (!requestId.isEmpty()) {
      Optional<RememberedAnswers.Answer<DeregisterResponse>> first =
          answers.find("deregister/" + node.name(), requestId, DeregisterResponse.parser());
      if (first.isPresent()) {
        return first.get().answer().toBuilder().setRevision(first.get().revision()).build();
      }
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ReadConsistency reads = PrefixScan.barrier(store, timeout);
      Transaction txn = new Transaction();
      int removed = 0;
      long revision = 0;
      if (request.getAll()) {
        PrefixScan.Page page =
            PrefixScan.scan(store, Endpoints.prefix(), reads, 1_000_000, timeout);
        revision = page.revision();
        for (KeyValue kv : page.kvs()) {
          Optional<Resource> r = StoredResources.decode(kv);
          if (r.isPresent() && r.get().getEndpoint().getNode().equals(node.name())) {
            txn.unchanged(kv.getKey(), kv.getModRevision()).delete(kv.getKey());
            removed++;
          }
        }
      } else {
        for (EndpointRef ref : request.getEndpointsList()) {
          ByteString key = Endpoints.key(ref.getNamespace(), ref.getService(), node.name());
          QueryResult r = PrefixScan.get(store, key, reads, timeout);
          revision = Math.max(revision, r.getRevision());
          if (r.hasKv()) {
            txn.unchanged(key, r.getKv().getModRevision()).delete(key);
            removed++;
          }
        }
      }
      if (removed == 0) {
        return DeregisterResponse.newBuilder().setRevision(revision).build();
      }
      ConfigMarker.touch(txn);
      DeregisterResponse answer = DeregisterResponse.newBuilder().setRemoved(removed).build();
      if (!requestId.isEmpty()) {
        answers.remember(txn, "deregister/" + node.name(), requestId, answer);
      }
      StoreResult result =
          PrefixScan.await(store.txn("deregister/" + UUID.randomUUID(), txn.build()), timeout);
      if (result.getSucceeded()) {
        PrefixScan.announceCommit(store);
        LOG.info(
            "endpoints deregistered node={} count={} revision={}",
            node.name(),
            removed,
            result.getRevision());
        return answer.toBuilder().setRevision(result.getRevision()).build();
      }
    }
    throw Status.ABORTED
        .withDescription("deregistration raced with other writes; retry")
        .asRuntimeException();
  }

  @Override
  public void reportHealth(
      ReportHealthRequest request, StreamObserver<ReportHealthResponse> observer) {
    unary.respond(observer, () -> reportHealth(request, (Caller.Node) Caller.current()));
  }

  private ReportHealthResponse reportHealth(ReportHealthRequest request, Caller.Node node) {
    if (request.getReportsCount() > MAX_ENDPOINTS) {
      throw new IllegalArgumentException(
          "reports: " + request.getReportsCount() + " items (expected: at most 1000)");
    }
    reports.seen(node.name());
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ReadConsistency reads = PrefixScan.barrier(store, timeout);
      Transaction txn = new Transaction();
      long revision = 0;
      for (int i = 0; i < request.getReportsCount(); i++) {
        HealthReport h = request.getReports(i);
        ByteString key =
            Endpoints.key(
                h.getEndpoint().getNamespace(), h.getEndpoint().getService(), node.name());
        QueryResult r = PrefixScan.get(store, key, reads, timeout);
        revision = Math.max(revision, r.getRevision());
        int index = i;
        Resource stored =
            (r.hasKv() ? StoredResources.decode(r.getKv()) : Optional.<Resource>empty())
                .orElseThrow(
                    () ->
                        Status.NOT_FOUND
                            .withDescription(
                                "reports["
                                    + index
                                    + "].endpoint: not registered on node "
                                    + node.name())
                            .asRuntimeException());
        Resource updated = Heartbeats.reported(stored, h.getHealth());
        if (!updated.equals(stored)) {
          txn.unchanged(key, r.getKv().getModRevision()).put(key, StoredResources.value(updated));
        }
      }
      if (!txn.hasWrites()) {
        return ReportHealthResponse.newBuilder().setRevision(revision).build();
      }
      ConfigMarker.touch(txn);
      StoreResult result =
          PrefixScan.await(store.txn("health/" + UUID.randomUUID(), txn.build()), timeout);
      if (result.getSucceeded()) {
        PrefixScan.announceCommit(store);
        return ReportHealthResponse.newBuilder().setRevision(result.getRevision()).build();
      }
    }
    throw Status.ABORTED
        .withDescription("health report raced with other writes; retry")
        .asRuntimeException();
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
    unary.respond(
        observer,
        () -> {
          Caller.Node node = (Caller.Node) Caller.current();
          reports.seen(node.name());
          Duration interval = settings.current().unhealthyAfter().dividedBy(3);
          return HeartbeatResponse.newBuilder()
              .setInterval(Durations.fromMillis(Math.max(100, interval.toMillis())))
              .setRevision(member.status().revision())
              .build();
        });
  }

  private static String requestId(String id) {
    if (!id.isEmpty() && !id.matches("[A-Za-z0-9._:-]{1,100}")) {
      throw new IllegalArgumentException(
          "request_id: \"" + id + "\" (expected: 1..100 of [A-Za-z0-9._:-], e.g. a UUID)");
    }
    return id;
  }
}
