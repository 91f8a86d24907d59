package io.raftmesh.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.CompactOp;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.DeleteOp;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.PutOp;
import io.raftmesh.proto.v1.Retention;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.proto.v1.TxnOp;
import io.raftmesh.proto.v1.TxnWrite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apply semantics on a real RocksDB in a temp dir, with no Raft around it. */
class CommandApplierTest {
  @TempDir Path dir;
  RocksStore store;
  CommandApplier applier;
  long index;
  long clock = 1_000_000;

  @BeforeEach
  void open() throws Exception {
    store = RocksStore.open(dir.resolve("db"));
    applier = new CommandApplier(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  StoreResult apply(StoreCommand.Builder command) {
    return apply(command, Retention.getDefaultInstance());
  }

  StoreResult apply(StoreCommand.Builder command, Retention retention) {
    if (command.getRequestId().isEmpty()) {
      command.setRequestId("req-" + (index + 1));
    }
    command.setProposedAt(ProtoTime.timestamp(clock)).setRetention(retention);
    CommandApplier.Outcome o = applier.apply(command.build(), 1, ++index);
    assertThat(o).isInstanceOf(CommandApplier.Applied.class);
    return ((CommandApplier.Applied) o).result();
  }

  static StoreCommand.Builder put(String key, String value) {
    return StoreCommand.newBuilder().setPut(PutOp.newBuilder().setKey(b(key)).setValue(b(value)));
  }

  Optional<KeyValue> get(String key) {
    try (ReadView view = store.openView()) {
      return view.get(b(key));
    }
  }

  @Test
  void putsAdvanceRevisionAndTrackCreateModAndVersion() {
    assertThat(apply(put("/a", "1")).getRevision()).isEqualTo(1);
    assertThat(apply(put("/b", "1")).getRevision()).isEqualTo(2);
    StoreResult again = apply(put("/a", "2"));

    assertThat(again.getRevision()).isEqualTo(3);
    assertThat(again.getWrites(0).getPrevious().getValue()).isEqualTo(b("1"));
    KeyValue a = get("/a").orElseThrow();
    assertThat(a.getCreateRevision()).isEqualTo(1);
    assertThat(a.getModRevision()).isEqualTo(3);
    assertThat(a.getVersion()).isEqualTo(2);
    assertThat(store.state().appliedIndex()).isEqualTo(3);
  }

  @Test
  void deleteThenPutStartsANewLifeForTheKey() {
    apply(put("/a", "1"));
    apply(StoreCommand.newBuilder().setDelete(DeleteOp.newBuilder().setKey(b("/a"))));
    apply(put("/a", "again"));

    KeyValue a = get("/a").orElseThrow();
    assertThat(a.getCreateRevision()).isEqualTo(3);
    assertThat(a.getVersion()).isEqualTo(1);
  }

  @Test
  void transactionAppliesOneBranchInOneRevisionAndComparesAbsentKeysAsZero() {
    apply(put("/a", "1"));
    TxnOp txn =
        TxnOp.newBuilder()
            .addCompares(
                Compare.newBuilder()
                    .setKey(b("/missing"))
                    .setTarget(Compare.Target.MOD_REVISION)
                    .setResult(Compare.Result.EQUAL)
                    .setRevision(0))
            .addCompares(
                Compare.newBuilder()
                    .setKey(b("/a"))
                    .setTarget(Compare.Target.VALUE)
                    .setResult(Compare.Result.GREATER)
                    .setValue(b("0")))
            .addSuccess(
                TxnWrite.newBuilder().setPut(PutOp.newBuilder().setKey(b("/x")).setValue(b("1"))))
            .addSuccess(TxnWrite.newBuilder().setDelete(DeleteOp.newBuilder().setKey(b("/a"))))
            .build();
    StoreResult r = apply(StoreCommand.newBuilder().setTxn(txn));

    assertThat(r.getSucceeded()).isTrue();
    assertThat(r.getRevision()).isEqualTo(2);
    assertThat(get("/a")).isEmpty();
    assertThat(get("/x").orElseThrow().getModRevision()).isEqualTo(2);
    try (ReadView view = store.openView()) {
      ChangeRecord record = view.changes(1, 10).getRecords(0);
      assertThat(record.getRevision()).isEqualTo(2);
      assertThat(record.getChangesCount()).isEqualTo(2);
    }
  }

  @Test
  void failedTransactionWithEmptyFailureBranchKeepsTheRevision() {
    apply(put("/a", "1"));
    TxnOp txn =
        TxnOp.newBuilder()
            .addCompares(
                Compare.newBuilder()
                    .setKey(b("/a"))
                    .setTarget(Compare.Target.VERSION)
                    .setResult(Compare.Result.EQUAL)
                    .setVersion(7))
            .addSuccess(
                TxnWrite.newBuilder().setPut(PutOp.newBuilder().setKey(b("/a")).setValue(b("x"))))
            .build();
    StoreResult r = apply(StoreCommand.newBuilder().setTxn(txn));

    assertThat(r.getSucceeded()).isFalse();
    assertThat(r.getRevision()).isEqualTo(1);
    assertThat(get("/a").orElseThrow().getValue()).isEqualTo(b("1"));
  }

  @Test
  void repeatedRequestIdReturnsFirstResultWithoutApplying() {
    StoreResult first = apply(put("/a", "1").setRequestId("same"));
    StoreResult again = apply(put("/a", "2").setRequestId("same"));

    assertThat(again.getDuplicate()).isTrue();
    assertThat(again.toBuilder().setDuplicate(false).build()).isEqualTo(first);
    assertThat(get("/a").orElseThrow().getValue()).isEqualTo(b("1"));
    assertThat(store.state().appliedIndex()).isEqualTo(2);
    assertThat(store.state().revision()).isEqualTo(1);
  }

  @Test
  void requestIdsExpireDeterministicallyByTheLogClock() {
    Retention retention =
        Retention.newBuilder().setRequestIds(ProtoTime.duration(Duration.ofSeconds(10))).build();
    apply(put("/a", "1").setRequestId("old"), retention);
    clock += 5_000;
    // Within retention: still a duplicate.
    assertThat(apply(put("/a", "2").setRequestId("old"), retention).getDuplicate()).isTrue();
    clock += 6_000;
    // Past retention; the sweep runs on indexes that are multiples of 16.
    while ((index + 1) % CommandApplier.SWEEP_EVERY != 0) {
      apply(put("/filler", "f"), retention);
    }
    apply(put("/filler", "f"), retention);
    StoreResult reapplied = apply(put("/a", "3").setRequestId("old"), retention);

    assertThat(reapplied.getDuplicate()).isFalse();
    assertThat(get("/a").orElseThrow().getValue()).isEqualTo(b("3"));
  }

  @Test
  void changeLogKeepsAboutTheConfiguredRevisionsAndAnswersCompactedBelowTheFloor() {
    Retention retention = Retention.newBuilder().setChangeLogRevisions(10).build();
    for (int i = 0; i < 100; i++) {
      apply(put("/k", "v" + i), retention);
    }
    StoreState s = store.state();
    assertThat(s.compactRevision()).isBetween(100L - 10 - CommandApplier.COUNT_SLACK, 90L);
    try (ReadView view = store.openView()) {
      assertThat(view.changes(s.compactRevision() - 1, 0).getCompacted()).isTrue();
      assertThat(view.changes(s.compactRevision(), 0).getRecordsList())
          .extracting(ChangeRecord::getRevision)
          .first()
          .isEqualTo(s.compactRevision() + 1);
    }
  }

  @Test
  void changeLogDropsRecordsOlderThanTheAgeLimit() {
    Retention retention =
        Retention.newBuilder().setChangeLogAge(ProtoTime.duration(Duration.ofMinutes(1))).build();
    for (int i = 0; i < 5; i++) {
      apply(put("/old", "v" + i), retention);
    }
    clock += Duration.ofMinutes(2).toMillis();
    while (index % CommandApplier.SWEEP_EVERY != 0) {
      apply(put("/new", "v"), retention);
    }

    assertThat(store.state().compactRevision()).isGreaterThanOrEqualTo(5);
    try (ReadView view = store.openView()) {
      assertThat(view.changes(4, 0).getCompacted()).isTrue();
    }
  }

  @Test
  void compactAboveTheRevisionIsRefusedAndOnlyTheIndexMoves() {
    apply(put("/a", "1"));
    CommandApplier.Outcome o =
        applier.apply(
            StoreCommand.newBuilder()
                .setRequestId("c")
                .setCompact(CompactOp.newBuilder().setRevision(5))
                .build(),
            1,
            ++index);

    assertThat(o).isInstanceOf(CommandApplier.Refused.class);
    assertThat(((CommandApplier.Refused) o).reason())
        .isEqualTo("compact.revision: 5 (expected: at most the current revision 1)");
    assertThat(store.state().appliedIndex()).isEqualTo(2);
    assertThat(store.state().revision()).isEqualTo(1);
    assertThat(store.state().compactRevision()).isZero();
  }

  @Test
  void stateSurvivesReopenBecauseDataAndIndexShareABatch() throws Exception {
    apply(put("/a", "1"));
    apply(put("/b", "2"));
    store.close();
    store = RocksStore.open(dir.resolve("db"));

    assertThat(store.state().appliedIndex()).isEqualTo(2);
    assertThat(store.state().revision()).isEqualTo(2);
    assertThat(get("/b").orElseThrow().getValue()).isEqualTo(b("2"));
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
