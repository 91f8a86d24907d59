package io.raftmesh.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.DeleteOp;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.PutOp;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.RangeQuery;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.proto.v1.TxnOp;
import io.raftmesh.proto.v1.TxnWrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CRUD, ranges, transactions, reads on followers and refusals, on one real 3-member cluster. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StoreClusterIT {
  @TempDir static Path dir;
  static MiniCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster =
        MiniCluster.start(3, dir, b -> b.maxValueBytes(64 * 1024).maxRequestBytes(128 * 1024));
    cluster.leader();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static StoreClient client() {
    return cluster.leader().client();
  }

  @Test
  void putThenGetReturnsValueWithRevisionsAndVersions() {
    StoreResult first = client().put(StoreClient.newRequestId(), b("/crud/a"), b("v1")).join();
    StoreResult second = client().put(StoreClient.newRequestId(), b("/crud/a"), b("v2")).join();

    assertThat(second.getRevision()).isEqualTo(first.getRevision() + 1);
    assertThat(second.getWrites(0).getPrevious().getValue()).isEqualTo(b("v1"));
    KeyValue kv = client().get(b("/crud/a")).join().getKv();
    assertThat(kv.getValue()).isEqualTo(b("v2"));
    assertThat(kv.getCreateRevision()).isEqualTo(first.getRevision());
    assertThat(kv.getModRevision()).isEqualTo(second.getRevision());
    assertThat(kv.getVersion()).isEqualTo(2);
  }

  @Test
  void deleteRemovesKeyAndAdvancesRevisionOnlyWhenSomethingWasDeleted() {
    client().put(StoreClient.newRequestId(), b("/crud/d"), b("x")).join();
    StoreResult deleted = client().delete(StoreClient.newRequestId(), b("/crud/d")).join();
    StoreResult again = client().delete(StoreClient.newRequestId(), b("/crud/d")).join();

    assertThat(deleted.getWrites(0).getDeleted()).isEqualTo(1);
    assertThat(again.getWrites(0).getDeleted()).isZero();
    assertThat(again.getRevision()).isEqualTo(deleted.getRevision());
    assertThat(client().get(b("/crud/d")).join().hasKv()).isFalse();
  }

  @Test
  void rangePagesWithLimitAndContinuation() {
    for (int i = 0; i < 25; i++) {
      client()
          .put(StoreClient.newRequestId(), b(String.format("/range/k%02d", i)), b("v" + i))
          .join();
    }
    List<String> seen = new ArrayList<>();
    ByteString start = b("/range/");
    ByteString end = b("/range0");
    for (int page = 0; page < 10; page++) {
      QueryResult r =
          client()
              .range(
                  RangeQuery.newBuilder().setKey(start).setRangeEnd(end).setLimit(10).build(),
                  ReadConsistency.LINEARIZABLE)
              .join();
      r.getRange().getKvsList().forEach(kv -> seen.add(kv.getKey().toStringUtf8()));
      if (!r.getRange().getMore()) {
        break;
      }
      // Continue after the last key: its successor is the key plus a zero byte.
      start =
          r.getRange()
              .getKvs(r.getRange().getKvsCount() - 1)
              .getKey()
              .concat(ByteString.copyFrom(new byte[] {0}));
    }
    assertThat(seen).hasSize(25).isSorted().first().isEqualTo("/range/k00");
    QueryResult count =
        client()
            .range(
                RangeQuery.newBuilder()
                    .setKey(b("/range/"))
                    .setRangeEnd(end)
                    .setCountOnly(true)
                    .build(),
                ReadConsistency.LINEARIZABLE)
            .join();
    assertThat(count.getRange().getCount()).isEqualTo(25);
    assertThat(count.getRange().getKvsCount()).isZero();
  }

  @Test
  void deleteRangeRemovesEveryKeyInRange() {
    for (int i = 0; i < 5; i++) {
      client().put(StoreClient.newRequestId(), b("/dr/" + i), b("v")).join();
    }
    client().put(StoreClient.newRequestId(), b("/dr0"), b("outside")).join();
    StoreResult r = client().deleteRange(StoreClient.newRequestId(), b("/dr/"), b("/dr0")).join();

    assertThat(r.getWrites(0).getDeleted()).isEqualTo(5);
    assertThat(client().get(b("/dr0")).join().hasKv()).isTrue();
    assertThat(client().get(b("/dr/3")).join().hasKv()).isFalse();
  }

  @Test
  void transactionRunsSuccessBranchWhenComparesHold() {
    StoreResult put = client().put(StoreClient.newRequestId(), b("/txn/a"), b("1")).join();
    TxnOp txn =
        TxnOp.newBuilder()
            .addCompares(modRevision("/txn/a", put.getRevision()))
            .addCompares(
                Compare.newBuilder()
                    .setKey(b("/txn/absent"))
                    .setTarget(Compare.Target.EXISTS)
                    .setResult(Compare.Result.EQUAL)
                    .setExists(false))
            .addSuccess(putWrite("/txn/a", "2"))
            .addSuccess(putWrite("/txn/b", "new"))
            .addFailure(putWrite("/txn/failed", "x"))
            .build();
    StoreResult r = client().txn(StoreClient.newRequestId(), txn).join();

    assertThat(r.getSucceeded()).isTrue();
    assertThat(r.getRevision()).isEqualTo(put.getRevision() + 1);
    assertThat(client().get(b("/txn/a")).join().getKv().getValue()).isEqualTo(b("2"));
    assertThat(client().get(b("/txn/b")).join().getKv().getModRevision())
        .isEqualTo(r.getRevision());
    assertThat(client().get(b("/txn/failed")).join().hasKv()).isFalse();
  }

  @Test
  void transactionRunsFailureBranchWhenACompareFails() {
    client().put(StoreClient.newRequestId(), b("/txn2/a"), b("1")).join();
    TxnOp txn =
        TxnOp.newBuilder()
            .addCompares(
                Compare.newBuilder()
                    .setKey(b("/txn2/a"))
                    .setTarget(Compare.Target.VALUE)
                    .setResult(Compare.Result.EQUAL)
                    .setValue(b("not-1")))
            .addSuccess(putWrite("/txn2/a", "changed"))
            .addFailure(putWrite("/txn2/failure-ran", "yes"))
            .build();
    StoreResult r = client().txn(StoreClient.newRequestId(), txn).join();

    assertThat(r.getSucceeded()).isFalse();
    assertThat(client().get(b("/txn2/a")).join().getKv().getValue()).isEqualTo(b("1"));
    assertThat(client().get(b("/txn2/failure-ran")).join().getKv().getValue()).isEqualTo(b("yes"));
  }

  @Test
  void conditionalPutFailsWithCompareFailedWhenRevisionMoved() {
    StoreResult put = client().put(StoreClient.newRequestId(), b("/cas/a"), b("1")).join();
    client().put(StoreClient.newRequestId(), b("/cas/a"), b("2")).join();

    assertThatThrownBy(
            () ->
                client()
                    .putIfModRevision(
                        StoreClient.newRequestId(), b("/cas/a"), b("3"), put.getRevision())
                    .join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(CompareFailedException.class);
    assertThat(client().get(b("/cas/a")).join().getKv().getValue()).isEqualTo(b("2"));
  }

  @Test
  void linearizableReadOnFollowerSeesWriteAcknowledgedByLeader() {
    StoreMember leader = cluster.leader();
    for (int i = 0; i < 20; i++) {
      StoreResult w =
          leader.client().put(StoreClient.newRequestId(), b("/lin/k"), b("v" + i)).join();
      for (StoreMember follower : cluster.others(leader)) {
        QueryResult r = follower.client().get(b("/lin/k")).join();
        assertThat(r.getKv().getValue()).isEqualTo(b("v" + i));
        assertThat(r.getRevision()).isGreaterThanOrEqualTo(w.getRevision());
      }
    }
  }

  @Test
  void staleReadReportsRevisionAndWaitsForMinimum() {
    StoreMember leader = cluster.leader();
    StoreResult w = leader.client().put(StoreClient.newRequestId(), b("/stale/k"), b("v")).join();
    StoreMember follower = cluster.others(leader).get(0);

    QueryResult r =
        follower.client().get(b("/stale/k"), ReadConsistency.stale(w.getRevision())).join();

    assertThat(r.getRevision()).isGreaterThanOrEqualTo(w.getRevision());
    assertThat(r.getKv().getValue()).isEqualTo(b("v"));
  }

  @Test
  void duplicateRequestIdReturnsFirstResultAndAppliesOnce() {
    String id = StoreClient.newRequestId();
    StoreResult first = client().put(id, b("/dup/k"), b("first")).join();
    StoreResult second = client().put(id, b("/dup/k"), b("second")).join();
    StoreClient other =
        StoreClient.connect(cluster.peers(), "raftmesh", null, java.time.Duration.ofSeconds(10));
    StoreResult third;
    try {
      third = other.put(id, b("/dup/k"), b("third")).join();
    } finally {
      other.close();
    }

    assertThat(first.getDuplicate()).isFalse();
    assertThat(second.getDuplicate()).isTrue();
    assertThat(third.getDuplicate()).isTrue();
    assertThat(second.getRevision()).isEqualTo(first.getRevision());
    assertThat(third.getLogIndex()).isEqualTo(first.getLogIndex());
    KeyValue kv = client().get(b("/dup/k")).join().getKv();
    assertThat(kv.getValue()).isEqualTo(b("first"));
    assertThat(kv.getVersion()).isEqualTo(1);
  }

  @Test
  void oversizedValueIsRefusedWithClearErrorAndWritesNothing() {
    long before = client().get(b("/bad/big")).join().getRevision();
    ByteString big = ByteString.copyFrom(new byte[64 * 1024 + 1]);

    assertThatThrownBy(() -> client().put(StoreClient.newRequestId(), b("/bad/big"), big).join())
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("value of \"/bad/big\": 65537 bytes (expected: at most 65536 bytes)");
    QueryResult after = client().get(b("/bad/big")).join();
    assertThat(after.hasKv()).isFalse();
    assertThat(after.getRevision()).isEqualTo(before);
  }

  @Test
  void emptyKeyIsRefused() {
    assertThatThrownBy(
            () -> client().put(StoreClient.newRequestId(), ByteString.EMPTY, b("v")).join())
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("put.key: empty (expected: 1..4096 bytes)");
  }

  @Test
  void malformedCommandsAreRefused() {
    StoreCommand noOp = StoreCommand.newBuilder().setRequestId(StoreClient.newRequestId()).build();
    StoreCommand noId =
        StoreCommand.newBuilder()
            .setPut(PutOp.newBuilder().setKey(b("/k")).setValue(b("v")))
            .build();
    StoreCommand badTxn =
        StoreCommand.newBuilder()
            .setRequestId(StoreClient.newRequestId())
            .setTxn(
                TxnOp.newBuilder()
                    .addSuccess(putWrite("/bad/twice", "1"))
                    .addSuccess(putWrite("/bad/twice", "2")))
            .build();
    StoreCommand badRange =
        StoreCommand.newBuilder()
            .setRequestId(StoreClient.newRequestId())
            .setDelete(DeleteOp.newBuilder().setKey(b("/z")).setRangeEnd(b("/a")))
            .build();

    assertThatThrownBy(() -> client().submit(noOp).join())
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("op: not set");
    assertThatThrownBy(() -> client().submit(noId).join())
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("request_id");
    assertThatThrownBy(() -> client().submit(badTxn).join())
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("txn.success[1].put.key: \"/bad/twice\" (expected: written once)");
    assertThatThrownBy(() -> client().submit(badRange).join())
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("delete.range_end");
    assertThat(client().get(b("/bad/twice")).join().hasKv()).isFalse();
  }

  @Test
  void compactAboveCurrentRevisionIsRefusedAtApply() {
    long revision = client().get(b("/any")).join().getRevision();

    assertThatThrownBy(() -> client().compact(StoreClient.newRequestId(), revision + 1000).join())
        .hasCauseInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("compact.revision: " + (revision + 1000));
  }

  @Test
  void statusReportsLeaderTermMembersAndMatchIndexOnLeader() {
    StoreMember leader = cluster.leader();
    leader.client().put(StoreClient.newRequestId(), b("/status/k"), b("v")).join();
    MemberStatus s = leader.status();

    assertThat(s.role()).isEqualTo(MemberRole.LEADER);
    assertThat(s.leaderId()).contains(leader.id());
    assertThat(s.term()).isPositive();
    assertThat(s.commitIndex()).isPositive();
    assertThat(s.members()).extracting(PeerStatus::id).containsExactlyInAnyOrder("n1", "n2", "n3");
    assertThat(s.members()).allSatisfy(p -> assertThat(p.matchIndex()).isPresent());
    MemberStatus f = cluster.others(leader).get(0).status();
    assertThat(f.role()).isEqualTo(MemberRole.FOLLOWER);
    assertThat(f.leaderId()).contains(leader.id());
  }

  static Compare modRevision(String key, long revision) {
    return Compare.newBuilder()
        .setKey(b(key))
        .setTarget(Compare.Target.MOD_REVISION)
        .setResult(Compare.Result.EQUAL)
        .setRevision(revision)
        .build();
  }

  static TxnWrite putWrite(String key, String value) {
    return TxnWrite.newBuilder()
        .setPut(PutOp.newBuilder().setKey(b(key)).setValue(b(value)))
        .build();
  }
}
