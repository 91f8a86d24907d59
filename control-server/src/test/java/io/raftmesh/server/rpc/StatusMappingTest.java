package io.raftmesh.server.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.raftmesh.ca.issue.IssuerNotValidException;
import io.raftmesh.ca.issue.RejectedRequestException;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.config.InvalidResourceException;
import io.raftmesh.server.config.Violations;
import io.raftmesh.store.CompareFailedException;
import io.raftmesh.store.StoreTimeoutException;
import io.raftmesh.store.StoreUnavailableException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StatusMappingTest {
  private final StatusMapping mapping =
      new StatusMapping(
          new LeaderHint() {
            @Override
            public Optional<String> leaderId() {
              return Optional.of("n2");
            }

            @Override
            public Optional<String> leaderAddress() {
              return Optional.of("10.0.0.2:7443");
            }
          });

  @Test
  void notLeaderOrNoLeaderIsUnavailableWithTheLeaderInTheTrailers() {
    StatusRuntimeException e =
        mapping.toStatus(new CompletionException(new StoreUnavailableException("no leader")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getTrailers().get(StatusMapping.LEADER_ID)).isEqualTo("n2");
    assertThat(e.getTrailers().get(StatusMapping.LEADER_ADDRESS)).isEqualTo("10.0.0.2:7443");
  }

  @Test
  void aBadCsrIsInvalidArgument() {
    StatusRuntimeException e =
        mapping.toStatus(
            new RejectedRequestException(
                RejectedRequestException.Reason.CSR_BAD_SIGNATURE, "csr: bad signature"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("csr: bad signature");
  }

  @Test
  void invalidResourcesCarryFieldViolations() throws Exception {
    Violations v = new Violations();
    v.bad("trafficRoute[a/b].spec.routes[0].split[0].weight", 140, "0..100");
    StatusRuntimeException e = mapping.toStatus(new InvalidResourceException(v.list()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    BadRequest details = StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class);
    assertThat(details.getFieldViolations(0).getField())
        .isEqualTo("trafficRoute[a/b].spec.routes[0].split[0].weight");
    assertThat(details.getFieldViolations(0).getDescription()).isEqualTo("140 (expected: 0..100)");
  }

  @Test
  void otherModuleErrorsMapToTheirCodes() {
    assertThat(code(new IssuerNotValidException("expired")))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(new StoreTimeoutException("slow"))).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(code(new CompareFailedException("k", 3, StoreResult.getDefaultInstance())))
        .isEqualTo(Status.Code.ABORTED);
    assertThat(code(new IllegalArgumentException("limit: -1")))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(Status.NOT_FOUND.asRuntimeException())).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void unexpectedErrorsAreInternalWithoutDetailsOrStackTraces() {
    StatusRuntimeException e =
        mapping.toStatus(new NullPointerException("secret internal state at Foo.java:42"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription())
        .startsWith("internal error (error id ")
        .doesNotContain("secret")
        .doesNotContain("Foo.java");
    assertThat(e.getStatus().getCause()).isNull();
  }

  private Status.Code code(Throwable t) {
    return mapping.toStatus(t).getStatus().getCode();
  }

  @Test
  void unavailableKeepsItsDescription() {
    assertThat(mapping.unavailable("server n1 is shutting down").getStatus().getDescription())
        .isEqualTo("server n1 is shutting down");
    assertThat(List.of(mapping.unavailable("x").getStatus().getCode()))
        .containsExactly(Status.Code.UNAVAILABLE);
  }
}
