package io.raftmesh.agent.testing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.issue.IssuedCertificate;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.token.JoinToken;
import io.raftmesh.proto.v1.CertificateResponse;
import io.raftmesh.proto.v1.CertificateServiceGrpc;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.DeregisterRequest;
import io.raftmesh.proto.v1.DeregisterResponse;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.GetTrustBundleRequest;
import io.raftmesh.proto.v1.HealthReport;
import io.raftmesh.proto.v1.HeartbeatRequest;
import io.raftmesh.proto.v1.HeartbeatResponse;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegisterResponse;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.RenewNodeRequest;
import io.raftmesh.proto.v1.ReportHealthRequest;
import io.raftmesh.proto.v1.ReportHealthResponse;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.SignWorkloadRequest;
import io.raftmesh.proto.v1.SubscribeRequest;
import io.raftmesh.proto.v1.TrustBundle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSession;

/**
 * A control server for agent tests: the agent-facing gRPC services over a {@link FakeMesh}, on
 * gRPC's in-process transport (unit tests; the caller's identity travels in a header) or on a real
 * loopback port with mutual TLS (integration tests; the identity is the client certificate). It
 * presents leaf, issuer and root, as the real servers do, so pinned enrollment works. It is not the
 * real control server: no Raft, no validation beyond what the agent's behaviour depends on.
 */
public final class FakeControlServer implements AutoCloseable {
  /** The header carrying the caller's SPIFFE ID on the in-process transport. */
  public static final Metadata.Key<String> TEST_IDENTITY =
      Metadata.Key.of("x-test-spiffe-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final Context.Key<SpiffeId> CALLER = Context.key("caller");
  private static final AtomicInteger IN_PROCESS_PORTS = new AtomicInteger(40_000);

  /** One delta sent: to which node, covering (previous, revision]. */
  public record Sent(String server, String node, long previous, long revision, boolean reset) {}

  private final String id;
  private final FakeMesh mesh;
  private final boolean tls;
  private final Server server;
  private final HostPort address;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger openTransports = new AtomicInteger();
  private final AtomicInteger totalTransports = new AtomicInteger();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final List<Sent> sent;
  private volatile Duration heartbeatInterval = Duration.ofMillis(500);

  private FakeControlServer(String id, FakeMesh mesh, boolean tls, List<Sent> sent, int port)
      throws IOException {
    this.id = id;
    this.mesh = mesh;
    this.tls = tls;
    this.sent = sent;
    ServerTransportFilter counter =
        new ServerTransportFilter() {
          @Override
          public io.grpc.Attributes transportReady(io.grpc.Attributes attrs) {
            openTransports.incrementAndGet();
            totalTransports.incrementAndGet();
            return attrs;
          }

          @Override
          public void transportTerminated(io.grpc.Attributes attrs) {
            openTransports.decrementAndGet();
          }
        };
    List<io.grpc.ServerServiceDefinition> services =
        List.of(
            ServerInterceptors.intercept(new Enrollment(), new CallerInterceptor()),
            ServerInterceptors.intercept(new Certificates(), new CallerInterceptor()),
            ServerInterceptors.intercept(new Deltas(), new CallerInterceptor()),
            ServerInterceptors.intercept(new Registration(), new CallerInterceptor()));
    if (tls) {
      TlsServerCredentials credentials =
          (TlsServerCredentials)
              TlsServerCredentials.newBuilder()
                  .keyManager(mesh.pki.controlServerKeys(id))
                  .trustManager(
                      MeshTrustManager.of(mesh.pki.bundle(), x -> true, Clock.systemUTC()))
                  .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                  .build();
      var builder = Grpc.newServerBuilderForPort(port, credentials);
      services.forEach(builder::addService);
      builder.addTransportFilter(counter);
      this.server = builder.build().start();
      this.address = new HostPort("127.0.0.1", server.getPort());
    } else {
      int fakePort = port == 0 ? IN_PROCESS_PORTS.incrementAndGet() : port;
      var builder = InProcessServerBuilder.forName(InProcessChannels.name(fakePort));
      services.forEach(builder::addService);
      builder.addTransportFilter(counter);
      this.server = builder.build().start();
      this.address = new HostPort(InProcessChannels.HOST, fakePort);
    }
  }

  /** A server on the in-process transport. */
  public static FakeControlServer inProcess(String id, FakeMesh mesh, List<Sent> sent)
      throws IOException {
    return new FakeControlServer(id, mesh, false, sent, 0);
  }

  /** A server with mutual TLS on a free loopback port. */
  public static FakeControlServer tls(String id, FakeMesh mesh, List<Sent> sent)
      throws IOException {
    return new FakeControlServer(id, mesh, true, sent, 0);
  }

  /** A server on a given port (a restart at the same address). */
  public static FakeControlServer restart(FakeControlServer old) throws IOException {
    return new FakeControlServer(old.id, old.mesh, old.tls, old.sent, old.address.port());
  }

  public static List<Sent> sentLog() {
    return new CopyOnWriteArrayList<>();
  }

  public String id() {
    return id;
  }

  public HostPort address() {
    return address;
  }

  public int openConnections() {
    return openTransports.get();
  }

  public int totalConnections() {
    return totalTransports.get();
  }

  public int heartbeats() {
    return heartbeats.get();
  }

  public int subscriptions() {
    return subscriptions.size();
  }

  public void heartbeatInterval(Duration interval) {
    this.heartbeatInterval = interval;
  }

  /** Ends every delta stream with UNAVAILABLE, as a server that lost its quorum does. */
  public void shed() {
    for (Subscription s : subscriptions) {
      s.end(Status.UNAVAILABLE.withDescription("server " + id + " has no quorum"));
    }
  }

  /** Stops at once, dropping connections (like kill -9 for the peers). */
  @Override
  public void close() {
    for (Subscription s : subscriptions) {
      s.stop();
    }
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class CallerInterceptor implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      SpiffeId caller = null;
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      if (session != null) {
        try {
          caller = MeshTrustManager.peerSpiffeId(session);
        } catch (RuntimeException e) {
          caller = null;
        }
      } else if (headers.get(TEST_IDENTITY) != null) {
        caller = SpiffeId.parse(headers.get(TEST_IDENTITY));
      }
      Context ctx =
          caller == null ? Context.current() : Context.current().withValue(CALLER, caller);
      return Contexts.interceptCall(ctx, call, headers, next);
    }
  }

  private static String callerNode() {
    SpiffeId caller = CALLER.get();
    if (caller == null) {
      throw Status.UNAUTHENTICATED.withDescription("no client certificate").asRuntimeException();
    }
    if (MeshIdentity.of(caller) instanceof MeshIdentity.Node node) {
      return node.name();
    }
    throw Status.PERMISSION_DENIED.withDescription(caller + " is not a node").asRuntimeException();
  }

  private CertificateResponse issue(SpiffeId spiffeId, String csrPem, Duration ttl) {
    IssuedCertificate cert =
        mesh.pki.issuer.issue(
            LeafRequest.forCsr(spiffeId, Csr.parsePem(csrPem)).lifetime(ttl).build());
    return CertificateResponse.newBuilder()
        .setCertificateChainPem(Pem.encodeCertificates(cert.chain()))
        .setTrustBundlePem(mesh.pki.bundle().toPem())
        .setSpiffeId(spiffeId.toString())
        .setSerial(cert.serial().toString())
        .build();
  }

  private final class Enrollment extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {
    @Override
    public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> out) {
      try {
        Object previous = mesh.issuedFor(request.getRequestId());
        if (previous instanceof EnrollResponse r) {
          out.onNext(r);
          out.onCompleted();
          return;
        }
        JoinToken token;
        try {
          token = JoinToken.parse(request.getToken());
        } catch (RuntimeException e) {
          throw Status.UNAUTHENTICATED.withDescription("join token refused").asRuntimeException();
        }
        if (!mesh.useToken(token)) {
          throw Status.UNAUTHENTICATED.withDescription("join token refused").asRuntimeException();
        }
        SpiffeId node =
            new MeshIdentity.Node(mesh.pki.trustDomain, request.getNodeName()).spiffeId();
        CertificateResponse cert = issue(node, request.getCsrPem(), mesh.nodeTtl());
        EnrollResponse response =
            EnrollResponse.newBuilder()
                .setCertificateChainPem(cert.getCertificateChainPem())
                .setTrustBundlePem(cert.getTrustBundlePem())
                .setSpiffeId(cert.getSpiffeId())
                .setTrustDomain(mesh.pki.trustDomain.name())
                .setSerial(cert.getSerial())
                .build();
        mesh.recordIssued(request.getRequestId(), response);
        mesh.enrolled(request.getNodeName());
        out.onNext(response);
        out.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }
  }

  private final class Certificates extends CertificateServiceGrpc.CertificateServiceImplBase {
    @Override
    public void renewNode(RenewNodeRequest request, StreamObserver<CertificateResponse> out) {
      try {
        String node = callerNode();
        Object previous = mesh.issuedFor(request.getRequestId());
        CertificateResponse response =
            previous instanceof CertificateResponse r
                ? r
                : issue(
                    new MeshIdentity.Node(mesh.pki.trustDomain, node).spiffeId(),
                    request.getCsrPem(),
                    mesh.nodeTtl());
        mesh.recordIssued(request.getRequestId(), response);
        out.onNext(response);
        out.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }

    @Override
    public void signWorkload(SignWorkloadRequest request, StreamObserver<CertificateResponse> out) {
      try {
        String node = callerNode();
        String key =
            io.raftmesh.agent.subscribe.ResourceKeys.of(
                ResourceType.ENDPOINT, request.getNamespace(), request.getService() + "." + node);
        if (mesh.get(key) == null) {
          throw Status.PERMISSION_DENIED
              .withDescription("no endpoint " + key + " on node " + node)
              .asRuntimeException();
        }
        Object previous = mesh.issuedFor(request.getRequestId());
        CertificateResponse response =
            previous instanceof CertificateResponse r
                ? r
                : issue(
                    new MeshIdentity.Workload(
                            mesh.pki.trustDomain, request.getNamespace(), request.getService())
                        .spiffeId(),
                    request.getCsrPem(),
                    mesh.workloadTtl());
        mesh.recordIssued(request.getRequestId(), response);
        out.onNext(response);
        out.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }

    @Override
    public void getTrustBundle(GetTrustBundleRequest request, StreamObserver<TrustBundle> out) {
      out.onNext(
          TrustBundle.newBuilder()
              .setTrustBundlePem(mesh.pki.bundle().toPem())
              .setTrustDomain(mesh.pki.trustDomain.name())
              .build());
      out.onCompleted();
    }
  }

  private final class Registration extends RegistrationServiceGrpc.RegistrationServiceImplBase {
    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
      try {
        String node = callerNode();
        List<Resource> endpoints = new ArrayList<>();
        for (EndpointRegistration e : request.getEndpointsList()) {
          endpoints.add(
              Resource.newBuilder()
                  .setType(ResourceType.ENDPOINT)
                  .setNamespace(e.getNamespace())
                  .setName(e.getService() + "." + node)
                  .setMeta(
                      io.raftmesh.proto.v1.ResourceMeta.newBuilder().putAllLabels(e.getLabelsMap()))
                  .setEndpoint(
                      EndpointSpec.newBuilder()
                          .setService(e.getService())
                          .setNode(node)
                          .setAddress(e.getAddress())
                          .setPort(e.getPort())
                          .setHealth(e.getHealth())
                          .setWeight(e.getWeight()))
                  .build());
        }
        long revision = mesh.put(endpoints.toArray(new Resource[0]));
        out.onNext(RegisterResponse.newBuilder().setRevision(revision).build());
        out.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }

    @Override
    public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> out) {
      try {
        String node = callerNode();
        int removed = 0;
        long revision = mesh.revision();
        for (Resource r : mesh.endpointsOf(node)) {
          revision = mesh.remove(ResourceType.ENDPOINT, r.getNamespace(), r.getName());
          removed++;
        }
        out.onNext(
            DeregisterResponse.newBuilder().setRevision(revision).setRemoved(removed).build());
        out.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }

    @Override
    public void reportHealth(
        ReportHealthRequest request, StreamObserver<ReportHealthResponse> out) {
      try {
        String node = callerNode();
        long revision = mesh.revision();
        for (HealthReport report : request.getReportsList()) {
          String key =
              io.raftmesh.agent.subscribe.ResourceKeys.of(
                  ResourceType.ENDPOINT,
                  report.getEndpoint().getNamespace(),
                  report.getEndpoint().getService() + "." + node);
          Resource r = mesh.get(key);
          if (r != null && r.getEndpoint().getHealth() != report.getHealth()) {
            revision =
                mesh.put(
                    r.toBuilder()
                        .setEndpoint(r.getEndpoint().toBuilder().setHealth(report.getHealth()))
                        .build());
          }
        }
        out.onNext(ReportHealthResponse.newBuilder().setRevision(revision).build());
        out.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
      try {
        callerNode();
        heartbeats.incrementAndGet();
        out.onNext(
            HeartbeatResponse.newBuilder()
                .setInterval(
                    com.google.protobuf.util.Durations.fromMillis(heartbeatInterval.toMillis()))
                .setRevision(mesh.revision())
                .build());
        out.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }
  }

  private final class Deltas extends DeltaServiceGrpc.DeltaServiceImplBase {
    @Override
    public StreamObserver<SubscribeRequest> subscribe(StreamObserver<Delta> out) {
      String node;
      try {
        node = callerNode();
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
        return new StreamObserver<>() {
          @Override
          public void onNext(SubscribeRequest value) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        };
      }
      Subscription s = new Subscription(node, (ServerCallStreamObserver<Delta>) out);
      subscriptions.add(s);
      return s;
    }
  }

  /** One agent's stream: sends the next delta only after the previous one was answered. */
  private final class Subscription implements StreamObserver<SubscribeRequest> {
    private final String node;
    private final ServerCallStreamObserver<Delta> out;
    private final Object lock = new Object();
    private boolean awaitingAnswer;
    private volatile boolean ended;
    private Thread thread;

    Subscription(String node, ServerCallStreamObserver<Delta> out) {
      this.node = node;
      this.out = out;
      out.setOnCancelHandler(this::stop);
    }

    @Override
    public void onNext(SubscribeRequest request) {
      switch (request.getMessageCase()) {
        case START -> {
          long resume = request.getStart().getResumeRevision();
          thread = new Thread(() -> run(resume), "fake-" + id + "-stream-" + node);
          thread.setDaemon(true);
          thread.start();
        }
        case ACK -> {
          mesh.ack(node, request.getAck().getRevision());
          answered();
        }
        case NACK -> {
          mesh.nack(node, request.getNack().getRevision(), request.getNack().getReason());
          answered();
        }
        default -> {}
      }
    }

    private void answered() {
      synchronized (lock) {
        awaitingAnswer = false;
        lock.notifyAll();
      }
    }

    private void run(long resume) {
      try {
        long after = resume;
        while (!ended) {
          synchronized (lock) {
            while (awaitingAnswer && !ended) {
              lock.wait(200);
            }
          }
          if (ended) {
            return;
          }
          if (after > mesh.revision()) {
            // The agent is ahead of this replica: wait, never send it backwards.
            mesh.awaitAbove(after - 1, 200);
            continue;
          }
          Delta delta = mesh.deltaSince(after, id);
          if (!delta.getReset() && delta.getRevision() == after) {
            mesh.awaitAbove(after, 200);
            continue;
          }
          synchronized (lock) {
            if (ended) {
              return;
            }
            awaitingAnswer = true;
            sent.add(
                new Sent(
                    id, node, delta.getPreviousRevision(), delta.getRevision(), delta.getReset()));
            out.onNext(delta);
          }
          after = delta.getRevision();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        end(Status.INTERNAL.withDescription(e.toString()));
      }
    }

    void end(Status status) {
      synchronized (lock) {
        if (ended) {
          return;
        }
        ended = true;
        lock.notifyAll();
      }
      subscriptions.remove(this);
      try {
        out.onError(status.asRuntimeException());
      } catch (RuntimeException ignored) {
        // already cancelled
      }
    }

    void stop() {
      synchronized (lock) {
        ended = true;
        lock.notifyAll();
      }
      subscriptions.remove(this);
    }

    @Override
    public void onError(Throwable t) {
      stop();
    }

    @Override
    public void onCompleted() {
      stop();
    }
  }

  /** For tests that resolve a bound address. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address.host(), address.port());
  }
}
