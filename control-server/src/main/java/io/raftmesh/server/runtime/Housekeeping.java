package io.raftmesh.server.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.CertificateRecord;
import io.raftmesh.proto.v1.JoinTokenRecord;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.RememberedAnswers;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.server.store.Stamped;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's cleanup of records that expire by age, so the store does not grow with every
 * request: request ids and remembered answers after {@link RememberedAnswers#RETENTION},
 * certificate records a week after their notAfter, join tokens a week after they expired. At most
 * {@link #MAX_DELETES} keys per pass.
 */
final class Housekeeping {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
  static final Duration KEEP_EXPIRED = Duration.ofDays(7);
  static final int MAX_DELETES = 1000;

  private final StoreClient store;
  private final Clock clock;
  private final Duration timeout;

  Housekeeping(StoreClient store, Clock clock, Duration timeout) {
    this.store = store;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** One pass; returns the number of keys deleted. */
  int run() {
    Instant now = clock.instant();
    Transaction txn = new Transaction();
    int[] n = {0};
    Instant stampedBefore = now.minus(RememberedAnswers.RETENTION);
    for (String prefix : new String[] {ServerKeys.CERT_REQUESTS, ServerKeys.REQUESTS}) {
      for (KeyValue kv : scan(prefix)) {
        if (n[0] < MAX_DELETES && Stamped.decode(kv.getValue()).at().isBefore(stampedBefore)) {
          txn.delete(kv.getKey());
          n[0]++;
        }
      }
    }
    Instant expiredBefore = now.minus(KEEP_EXPIRED);
    for (KeyValue kv : scan(ServerKeys.CERTS)) {
      try {
        CertificateRecord r = CertificateRecord.parseFrom(kv.getValue());
        if (n[0] < MAX_DELETES
            && Timestamps.toMillis(r.getNotAfter()) < expiredBefore.toEpochMilli()) {
          txn.delete(kv.getKey());
          n[0]++;
        }
      } catch (InvalidProtocolBufferException e) {
        LOG.warn("malformed certificate record {}", kv.getKey().toStringUtf8());
      }
    }
    for (KeyValue kv : scan(ServerKeys.TOKENS)) {
      try {
        JoinTokenRecord r = JoinTokenRecord.parseFrom(kv.getValue());
        if (n[0] < MAX_DELETES
            && Timestamps.toMillis(r.getExpiresAt()) < expiredBefore.toEpochMilli()) {
          ByteString uses = ServerKeys.key(ServerKeys.TOKEN_USES, r.getTokenId() + "/");
          txn.delete(kv.getKey()).deleteRange(uses, ServerKeys.prefixEnd(uses));
          n[0]++;
        }
      } catch (InvalidProtocolBufferException e) {
        LOG.warn("malformed join token record {}", kv.getKey().toStringUtf8());
      }
    }
    if (!txn.hasWrites()) {
      return 0;
    }
    StoreResult r =
        PrefixScan.await(store.txn("housekeeping/" + UUID.randomUUID(), txn.build()), timeout);
    LOG.info("housekeeping deleted {} expired records revision={}", n[0], r.getRevision());
    return n[0];
  }

  private java.util.List<KeyValue> scan(String prefix) {
    ByteString p = ServerKeys.key(prefix);
    return PrefixScan.scan(store, p, ReadConsistency.stale(0), 100_000, timeout).kvs();
  }
}
