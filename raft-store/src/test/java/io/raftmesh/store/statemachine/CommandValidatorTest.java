package io.raftmesh.store.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.DeleteOp;
import io.raftmesh.proto.v1.PutOp;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.TxnOp;
import io.raftmesh.proto.v1.TxnWrite;
import org.junit.jupiter.api.Test;

class CommandValidatorTest {
  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static StoreCommand.Builder cmd() {
    return StoreCommand.newBuilder().setRequestId("r1");
  }

  @Test
  void acceptsAWellFormedPut() {
    assertThat(
            CommandValidator.structural(cmd().setPut(PutOp.newBuilder().setKey(b("/k"))).build()))
        .isNull();
  }

  @Test
  void rejectsOverlongKeyWithItsSize() {
    StoreCommand c =
        cmd().setPut(PutOp.newBuilder().setKey(ByteString.copyFrom(new byte[4097]))).build();
    assertThat(CommandValidator.structural(c))
        .isEqualTo("put.key: 4097 bytes (expected: 1..4096 bytes)");
  }

  @Test
  void rejectsMissingOrHugeRequestId() {
    assertThat(CommandValidator.structural(StoreCommand.newBuilder().build()))
        .startsWith("request_id: 0 bytes");
    assertThat(CommandValidator.structural(cmd().setRequestId("x".repeat(129)).build()))
        .startsWith("request_id: 129 bytes");
  }

  @Test
  void rejectsCompareWhoseOperandDoesNotMatchTarget() {
    TxnOp txn =
        TxnOp.newBuilder()
            .addCompares(
                Compare.newBuilder()
                    .setKey(b("/k"))
                    .setTarget(Compare.Target.MOD_REVISION)
                    .setResult(Compare.Result.EQUAL)
                    .setValue(b("oops")))
            .build();
    assertThat(CommandValidator.structural(cmd().setTxn(txn).build()))
        .isEqualTo("txn.compares[0].operand: VALUE (expected: REVISION for target MOD_REVISION)");
  }

  @Test
  void rejectsPutInsideADeletedRangeOfTheSameBranch() {
    TxnOp txn =
        TxnOp.newBuilder()
            .addSuccess(
                TxnWrite.newBuilder()
                    .setDelete(DeleteOp.newBuilder().setKey(b("/a")).setRangeEnd(b("/b"))))
            .addSuccess(TxnWrite.newBuilder().setPut(PutOp.newBuilder().setKey(b("/a/x"))))
            .build();
    assertThat(CommandValidator.structural(cmd().setTxn(txn).build()))
        .isEqualTo("txn.success: put of \"/a/x\" inside a deleted range (expected: not)");
  }

  @Test
  void limitsRejectOversizedValueInsideATransaction() {
    TxnOp txn =
        TxnOp.newBuilder()
            .addFailure(
                TxnWrite.newBuilder()
                    .setPut(
                        PutOp.newBuilder()
                            .setKey(b("/big"))
                            .setValue(ByteString.copyFrom(new byte[11]))))
            .build();
    assertThat(CommandValidator.limits(cmd().setTxn(txn).build(), 10, 1000))
        .isEqualTo("value of \"/big\": 11 bytes (expected: at most 10 bytes)");
  }
}
