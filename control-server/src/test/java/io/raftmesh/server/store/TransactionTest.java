package io.raftmesh.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.TxnOp;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TransactionTest {
  private static final ByteString A = ServerKeys.key("/service/ns/a");

  @Test
  void aKeyReadOnceHasOneCompareTheFirstRevisionSeen() {
    TxnOp txn =
        new Transaction()
            .unchanged(A, 7)
            .unchanged(A, 9)
            .absent(ServerKeys.key("_x"))
            .put(A, ByteString.EMPTY)
            .build();

    assertThat(txn.getComparesList()).hasSize(2);
    Compare first = txn.getCompares(0);
    assertThat(first.getTarget()).isEqualTo(Compare.Target.MOD_REVISION);
    assertThat(first.getRevision()).isEqualTo(7);
    assertThat(txn.getCompares(1).getRevision()).isZero();
    assertThat(txn.getSuccessCount()).isEqualTo(1);
    assertThat(txn.getFailureCount()).isZero();
  }

  @Test
  void reservedKeysSortAfterEveryResourceKey() {
    assertThat(ServerKeys.ISSUER.toStringUtf8().compareTo("/~")).isPositive();
    assertThat(ServerKeys.prefixEnd(ServerKeys.key("_certs/")))
        .isEqualTo(ServerKeys.key("_certs0"));
  }

  @Test
  void stampedValuesRoundTrip() {
    Stamped s = new Stamped(Instant.ofEpochMilli(1234567), ByteString.copyFromUtf8("serial"));
    assertThat(Stamped.decode(s.encode())).isEqualTo(s);
  }
}
