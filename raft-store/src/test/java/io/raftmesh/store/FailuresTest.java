package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.Test;

/**
 * Transport failures of Ratis's own gRPC calls (seen by the chaos harness when a leader was killed,
 * paused or cut off during a ReadIndex) are transient store failures, not internal errors.
 */
class FailuresTest {
  @Test
  void anUnreachableLeaderIsUnavailableNotAnInternalError() {
    StoreException e =
        Failures.translate(
            new CompletionException(
                Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()),
            "read");
    assertThat(e).isInstanceOf(StoreUnavailableException.class);
    assertThat(e.getMessage()).startsWith("read: leader unreachable").contains("io exception");
  }

  @Test
  void aLeaderThatDoesNotAnswerInTimeIsATimeout() {
    StoreException e = Failures.translate(Status.DEADLINE_EXCEEDED.asRuntimeException(), "read");
    assertThat(e).isInstanceOf(StoreTimeoutException.class);
    assertThat(e.getMessage()).contains("outcome is unknown");
  }

  @Test
  void otherStatusesStayPlainStoreExceptions() {
    StoreException e = Failures.translate(Status.INTERNAL.asRuntimeException(), "read");
    assertThat(e).isExactlyInstanceOf(StoreException.class);
  }
}
