package io.raftmesh.server.enroll;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.CreateJoinTokenResponse;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.ListJoinTokensRequest;
import io.raftmesh.proto.v1.ListJoinTokensResponse;
import io.raftmesh.proto.v1.RevokeJoinTokenRequest;
import io.raftmesh.proto.v1.RevokeJoinTokenResponse;
import io.raftmesh.server.auth.Caller;
import io.raftmesh.server.ca.CertificateLedger;
import io.raftmesh.server.ca.IssuerStore;
import io.raftmesh.server.config.MeshSettings;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.rpc.Unary;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;

/** EnrollmentService: enrollment with join tokens, and token administration (admins only). */
public final class EnrollmentGrpcService extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {
  private final Enrollment enrollment;
  private final JoinTokens tokens;
  private final IssuerStore issuers;
  private final ServerMetrics metrics;
  private final Unary unary;

  /** The service over {@code store}. */
  public EnrollmentGrpcService(
      StoreClient store,
      CertificateLedger ledger,
      JoinTokens tokens,
      MeshSettings settings,
      TrustDomain trustDomain,
      Clock clock,
      ServerMetrics metrics,
      Unary unary,
      Duration timeout) {
    this.enrollment = new Enrollment(store, ledger, settings, trustDomain, clock, metrics, timeout);
    this.tokens = tokens;
    this.issuers = ledger.issuers();
    this.metrics = metrics;
    this.unary = unary;
  }

  @Override
  public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> observer) {
    unary.respond(
        observer,
        () -> {
          try {
            return enrollment.enroll(request);
          } catch (RuntimeException e) {
            StatusRuntimeException status = unary.errors().toStatus(e);
            metrics.enrollmentFailures.labelValues(reason(status.getStatus().getCode())).inc();
            throw status;
          }
        });
  }

  private static String reason(Status.Code code) {
    return switch (code) {
      case UNAUTHENTICATED -> "token_refused";
      case INVALID_ARGUMENT -> "bad_request";
      case ALREADY_EXISTS -> "name_taken";
      case FAILED_PRECONDITION -> "no_issuer";
      case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED -> "unavailable";
      default -> "internal";
    };
  }

  @Override
  public void createJoinToken(
      CreateJoinTokenRequest request, StreamObserver<CreateJoinTokenResponse> observer) {
    unary.respond(
        observer,
        () -> {
          IssuerStore.Loaded issuer = issuers.current();
          Fingerprint root =
              issuer
                  .ca()
                  .root()
                  .map(Fingerprint::of)
                  .orElseGet(() -> issuer.bundle().fingerprints().get(0));
          return tokens.create(request, root, Caller.current().describe());
        });
  }

  @Override
  public void listJoinTokens(
      ListJoinTokensRequest request, StreamObserver<ListJoinTokensResponse> observer) {
    unary.respond(
        observer, () -> ListJoinTokensResponse.newBuilder().addAllTokens(tokens.list()).build());
  }

  @Override
  public void revokeJoinToken(
      RevokeJoinTokenRequest request, StreamObserver<RevokeJoinTokenResponse> observer) {
    unary.respond(
        observer,
        () ->
            RevokeJoinTokenResponse.newBuilder()
                .setRevoked(tokens.revoke(request.getTokenId(), Caller.current().describe()))
                .build());
  }
}
