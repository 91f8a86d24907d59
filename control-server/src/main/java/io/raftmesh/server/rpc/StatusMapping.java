package io.raftmesh.server.rpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.raftmesh.ca.CaException;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.issue.IssuerNotValidException;
import io.raftmesh.ca.issue.RejectedRequestException;
import io.raftmesh.ca.pem.PemException;
import io.raftmesh.ca.token.InvalidJoinTokenException;
import io.raftmesh.store.CompactedException;
import io.raftmesh.store.CompareFailedException;
import io.raftmesh.store.InvalidRequestException;
import io.raftmesh.store.StoreException;
import io.raftmesh.store.StoreTimeoutException;
import io.raftmesh.store.StoreUnavailableException;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors of the other modules become gRPC statuses (as etcd's {@code
 * toGRPCErrorMap}). Clients get a status code and a one-line description, never a stack trace;
 * unexpected errors are logged here once, with an id the client also sees.
 *
 * <table>
 *   <caption>mapping</caption>
 *   <tr><th>error</th><th>status</th></tr>
 *   <tr><td>{@link StatusRuntimeException}, {@link StatusException}</td><td>as is</td></tr>
 *   <tr><td>{@link FieldErrors} (invalid resources)</td><td>INVALID_ARGUMENT with
 *       {@code google.rpc.BadRequest} field violations</td></tr>
 *   <tr><td>bad CSR, SPIFFE ID, PEM or join token; store {@link InvalidRequestException};
 *       {@link IllegalArgumentException}</td><td>INVALID_ARGUMENT</td></tr>
 *   <tr><td>{@link IssuerNotValidException}</td><td>FAILED_PRECONDITION</td></tr>
 *   <tr><td>{@link CompareFailedException}</td><td>ABORTED</td></tr>
 *   <tr><td>{@link CompactedException}</td><td>OUT_OF_RANGE</td></tr>
 *   <tr><td>{@link StoreUnavailableException} (no leader, not ready, closed)</td>
 *       <td>UNAVAILABLE with the leader hint in the trailers</td></tr>
 *   <tr><td>{@link StoreTimeoutException}</td><td>DEADLINE_EXCEEDED (outcome unknown)</td></tr>
 *   <tr><td>anything else</td><td>INTERNAL, logged with an error id</td></tr>
 * </table>
 */
public final class StatusMapping {
  private static final Logger LOG = LoggerFactory.getLogger(StatusMapping.class);

  /** Trailer naming the leader's member id. */
  public static final Metadata.Key<String> LEADER_ID =
      Metadata.Key.of("raftmesh-leader-id", Metadata.ASCII_STRING_MARSHALLER);

  /** Trailer naming the leader's gRPC address. */
  public static final Metadata.Key<String> LEADER_ADDRESS =
      Metadata.Key.of("raftmesh-leader-address", Metadata.ASCII_STRING_MARSHALLER);

  private final LeaderHint leader;

  /** A mapping that adds {@code leader} to UNAVAILABLE answers. */
  public StatusMapping(LeaderHint leader) {
    this.leader = leader;
  }

  /** The status for {@code error}, with trailers. */
  public StatusRuntimeException toStatus(Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (t instanceof StatusException se) {
      return new StatusRuntimeException(se.getStatus(), se.getTrailers());
    }
    if (t instanceof FieldErrors invalid) {
      return badRequest(invalid, String.valueOf(t.getMessage()));
    }
    if (t instanceof RejectedRequestException
        || t instanceof InvalidSpiffeIdException
        || t instanceof InvalidJoinTokenException
        || t instanceof PemException
        || t instanceof InvalidRequestException
        || t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof IssuerNotValidException) {
      return Status.FAILED_PRECONDITION.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof CompareFailedException) {
      return Status.ABORTED
          .withDescription(t.getMessage() + "; read again and retry")
          .asRuntimeException();
    }
    if (t instanceof CompactedException) {
      return Status.OUT_OF_RANGE.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof StoreTimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof StoreUnavailableException) {
      return unavailable("the store cannot serve this now: " + t.getMessage());
    }
    String id = UUID.randomUUID().toString().substring(0, 8);
    if (t instanceof StoreException || t instanceof CaException) {
      LOG.error("request failed error_id={}: {}", id, t.toString(), t);
    } else {
      LOG.error("request failed with an unexpected error error_id={}", id, t);
    }
    return Status.INTERNAL
        .withDescription("internal error (error id " + id + ", see the server log)")
        .asRuntimeException();
  }

  /** UNAVAILABLE with {@code description} and the leader hint in the trailers. */
  public StatusRuntimeException unavailable(String description) {
    Metadata trailers = new Metadata();
    leader.leaderId().ifPresent(id -> trailers.put(LEADER_ID, id));
    leader.leaderAddress().ifPresent(a -> trailers.put(LEADER_ADDRESS, a));
    return Status.UNAVAILABLE.withDescription(description).asRuntimeException(trailers);
  }

  private static StatusRuntimeException badRequest(FieldErrors e, String message) {
    BadRequest.Builder details = BadRequest.newBuilder();
    for (FieldErrors.FieldError v : e.fieldErrors()) {
      details.addFieldViolations(
          BadRequest.FieldViolation.newBuilder()
              .setField(v.field())
              .setDescription(v.description()));
    }
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.INVALID_ARGUMENT.value())
            .setMessage(message)
            .addDetails(Any.pack(details.build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
