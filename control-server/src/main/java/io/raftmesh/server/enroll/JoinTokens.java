package io.raftmesh.server.enroll;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.token.JoinToken;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.CreateJoinTokenResponse;
import io.raftmesh.proto.v1.JoinTokenRecord;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Join tokens in the store ({@code _tokens/<id>}): only the SHA-256 of the secret is kept. Creating
 * and revoking are admin operations; using one is part of {@link Enrollment}'s transaction.
 */
public final class JoinTokens {
  private static final Logger LOG = LoggerFactory.getLogger(JoinTokens.class);
  static final Duration MIN_TTL = Duration.ofMinutes(1);
  static final Duration MAX_TTL = Duration.ofDays(30);
  static final int MAX_USES = 10_000;

  private final StoreClient store;
  private final Clock clock;
  private final SecureRandom random;
  private final Duration timeout;

  /** Tokens kept through {@code store}. */
  public JoinTokens(StoreClient store, Clock clock, SecureRandom random, Duration timeout) {
    this.store = store;
    this.clock = clock;
    this.random = random;
    this.timeout = timeout;
  }

  static ByteString key(String tokenId) {
    return ServerKeys.key(ServerKeys.TOKENS, tokenId);
  }

  /** Creates a token for the root {@code root}; the answer holds the secret, shown once. */
  CreateJoinTokenResponse create(CreateJoinTokenRequest request, Fingerprint root, String by) {
    Duration ttl =
        request.hasTtl()
            ? Duration.ofMillis(Durations.toMillis(request.getTtl()))
            : Duration.ofHours(1);
    if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: 1m..30d)");
    }
    int uses = request.getMaxUses() == 0 ? 1 : request.getMaxUses();
    if (uses < 1 || uses > MAX_USES) {
      throw new IllegalArgumentException("max_uses: " + uses + " (expected: 1..10000)");
    }
    if (request.getDescription().length() > 1024) {
      throw new IllegalArgumentException(
          "description: " + request.getDescription().length() + " characters (expected: <= 1024)");
    }
    JoinToken token = JoinToken.generate(root, random);
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    JoinTokenRecord record =
        JoinTokenRecord.newBuilder()
            .setTokenId(token.id())
            .setSecretSha256(ByteString.copyFrom(token.secretSha256()))
            .setCreatedAt(Timestamps.fromMillis(now.toEpochMilli()))
            .setExpiresAt(Timestamps.fromMillis(expires.toEpochMilli()))
            .setMaxUses(uses)
            .setDescription(request.getDescription())
            .setCreatedBy(by)
            .build();
    Transaction txn = new Transaction().absent(key(token.id())).put(key(token.id()), record);
    StoreResult r = PrefixScan.await(store.txn("token/" + token.id(), txn.build()), timeout);
    if (!r.getSucceeded()) {
      throw Status.ABORTED.withDescription("token id collision; retry").asRuntimeException();
    }
    LOG.info(
        "join token created token_id={} max_uses={} expires_at={} by={}",
        token.id(),
        uses,
        expires,
        by);
    return CreateJoinTokenResponse.newBuilder()
        .setToken(token.encoded())
        .setTokenId(token.id())
        .setExpiresAt(Timestamps.fromMillis(expires.toEpochMilli()))
        .build();
  }

  /** Every token without its secret hash, newest first. */
  List<JoinTokenRecord> list() {
    PrefixScan.Page page =
        PrefixScan.scan(
            store,
            ServerKeys.key(ServerKeys.TOKENS),
            ReadConsistency.LINEARIZABLE,
            100_000,
            timeout);
    PrefixScan.Page uses =
        PrefixScan.scan(
            store,
            ServerKeys.key(ServerKeys.TOKEN_USES),
            ReadConsistency.stale(page.revision()),
            1_000_000,
            timeout);
    java.util.Map<String, List<KeyValue>> usesByToken = new java.util.HashMap<>();
    for (KeyValue kv : uses.kvs()) {
      String rest = ServerKeys.suffix(kv.getKey(), ServerKeys.TOKEN_USES);
      usesByToken
          .computeIfAbsent(rest.substring(0, rest.indexOf('/')), k -> new ArrayList<>())
          .add(kv);
    }
    List<JoinTokenRecord> out = new ArrayList<>();
    for (KeyValue kv : page.kvs()) {
      parse(kv)
          .ifPresent(
              r -> {
                List<KeyValue> used = usesByToken.getOrDefault(r.getTokenId(), List.of());
                JoinTokenRecord.Builder b =
                    r.toBuilder().clearSecretSha256().setUses(used.size()).clearUsedBy();
                used.forEach(u -> b.addUsedBy(u.getValue().toStringUtf8()));
                out.add(b.build());
              });
    }
    out.sort(
        Comparator.comparingLong((JoinTokenRecord r) -> Timestamps.toMillis(r.getCreatedAt()))
            .reversed());
    return out;
  }

  /** Revokes a token; false when it was already revoked. */
  boolean revoke(String tokenId, String by) {
    if (!tokenId.matches("[0-9a-f]{16}")) {
      throw new IllegalArgumentException(
          "token_id: \"" + tokenId + "\" (expected: 16 lower-case hex digits)");
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      QueryResult r = PrefixScan.get(store, key(tokenId), ReadConsistency.LINEARIZABLE, timeout);
      if (!r.hasKv()) {
        throw Status.NOT_FOUND
            .withDescription("join token " + tokenId + " does not exist")
            .asRuntimeException();
      }
      JoinTokenRecord record =
          parse(r.getKv()).orElseThrow(() -> new IllegalStateException("token is malformed"));
      if (record.getRevoked()) {
        return false;
      }
      Transaction txn =
          new Transaction()
              .unchanged(key(tokenId), r.getKv().getModRevision())
              .put(key(tokenId), record.toBuilder().setRevoked(true).build());
      StoreResult result =
          PrefixScan.await(
              store.txn("revoke/" + tokenId + "/" + r.getKv().getModRevision(), txn.build()),
              timeout);
      if (result.getSucceeded()) {
        LOG.info("join token revoked token_id={} by={}", tokenId, by);
        return true;
      }
    }
    throw Status.ABORTED.withDescription("token changed concurrently; retry").asRuntimeException();
  }

  static Optional<JoinTokenRecord> parse(KeyValue kv) {
    try {
      return Optional.of(JoinTokenRecord.parseFrom(kv.getValue()));
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("malformed join token record key={}", kv.getKey().toStringUtf8());
      return Optional.empty();
    }
  }
}
