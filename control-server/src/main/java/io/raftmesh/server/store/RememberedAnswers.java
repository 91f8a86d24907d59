package io.raftmesh.server.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * First answers to idempotent writes ({@code _requests/<kind>/<request id>}), written in the same
 * transaction as the write itself, so a client that retries with the same request id gets the first
 * answer back, even from another server, instead of a second write. The answer's revision is the
 * record's mod revision. Housekeeping drops records older than {@link #RETENTION}.
 */
public final class RememberedAnswers {
  /** How long an answer is kept. */
  public static final Duration RETENTION = Duration.ofHours(1);

  private final StoreClient store;
  private final Clock clock;
  private final Duration timeout;

  /** Answers kept through {@code store}. */
  public RememberedAnswers(StoreClient store, Clock clock, Duration timeout) {
    this.store = store;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** The key of {@code kind}'s request {@code requestId}. */
  public static ByteString key(String kind, String requestId) {
    return ServerKeys.key(ServerKeys.REQUESTS, kind + "/" + requestId);
  }

  /**
   * A remembered answer.
   *
   * @param answer the answer as first sent
   * @param revision the revision of the write that produced it
   */
  public record Answer<T>(T answer, long revision) {}

  /** The first answer to {@code kind/requestId}, if it was remembered (linearizable). */
  public <T extends MessageLite> Optional<Answer<T>> find(
      String kind, String requestId, Parser<T> parser) {
    QueryResult r =
        PrefixScan.get(store, key(kind, requestId), ReadConsistency.LINEARIZABLE, timeout);
    if (!r.hasKv()) {
      return Optional.empty();
    }
    try {
      T answer = parser.parseFrom(Stamped.decode(r.getKv().getValue()).payload());
      return Optional.of(new Answer<>(answer, r.getKv().getModRevision()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("remembered answer " + kind + "/" + requestId, e);
    }
  }

  /** Adds the record of {@code answer} to {@code txn} (it must not exist yet). */
  public Transaction remember(Transaction txn, String kind, String requestId, MessageLite answer) {
    ByteString key = key(kind, requestId);
    return txn.absent(key).put(key, new Stamped(clock.instant(), answer.toByteString()).encode());
  }
}
