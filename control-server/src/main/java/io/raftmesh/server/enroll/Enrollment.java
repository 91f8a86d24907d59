package io.raftmesh.server.enroll;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.token.InvalidJoinTokenException;
import io.raftmesh.ca.token.JoinToken;
import io.raftmesh.proto.v1.CertificateKind;
import io.raftmesh.proto.v1.CertificateRecord;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.JoinTokenRecord;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.server.ca.CertificateLedger;
import io.raftmesh.server.ca.IssuerStore;
import io.raftmesh.server.config.MeshSettings;
import io.raftmesh.server.config.Nodes;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trades a join token and a CSR for a node certificate. The token's use count is read, checked
 * (secret, expiry, revocation, uses) and written back in the same transaction that records the
 * certificate and the Node resource, with a compare on the token's revision: two enrollments racing
 * for the last use of a token cannot both commit, whichever server or leader they reach. Every
 * token refusal reads the same, so a token cannot be probed.
 */
final class Enrollment {
  private static final Logger LOG = LoggerFactory.getLogger(Enrollment.class);
  static final String REFUSED = "join token refused (unknown, used up, revoked or expired)";
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
  private static final int ATTEMPTS = 8;

  private final StoreClient store;
  private final CertificateLedger ledger;
  private final MeshSettings settings;
  private final TrustDomain trustDomain;
  private final Clock clock;
  private final ServerMetrics metrics;
  private final Duration timeout;
  private final SecureRandom random = new SecureRandom();

  Enrollment(
      StoreClient store,
      CertificateLedger ledger,
      MeshSettings settings,
      TrustDomain trustDomain,
      Clock clock,
      ServerMetrics metrics,
      Duration timeout) {
    this.store = store;
    this.ledger = ledger;
    this.settings = settings;
    this.trustDomain = trustDomain;
    this.clock = clock;
    this.metrics = metrics;
    this.timeout = timeout;
  }

  /** Validates an idempotency key, or makes one when the caller sent none. */
  static String requestId(String given) {
    if (given.isEmpty()) {
      return UUID.randomUUID().toString();
    }
    if (!REQUEST_ID.matcher(given).matches()) {
      throw new IllegalArgumentException(
          "request_id: \"" + given + "\" (expected: 1..100 of [A-Za-z0-9._:-], e.g. a UUID)");
    }
    return given;
  }

  EnrollResponse enroll(EnrollRequest request) {
    JoinToken token;
    try {
      token = JoinToken.parse(request.getToken());
    } catch (InvalidJoinTokenException e) {
      throw refused("malformed token");
    }
    MeshIdentity.Node identity = new MeshIdentity.Node(trustDomain, request.getNodeName());
    Csr csr = Csr.parsePem(request.getCsrPem());
    String requestId = requestId(request.getRequestId());
    if (request.getAddress().length() > 253 || request.getAgentVersion().length() > 128) {
      throw new IllegalArgumentException(
          "address or agent_version: too long (expected: at most 253 and 128 characters)");
    }
    IssuerStore.Loaded issuer = ledger.issuers().current();
    if (!issuer.bundle().contains(token.rootFingerprint())) {
      throw refused("token for another root " + token.rootFingerprint());
    }
    String name = request.getNodeName();
    ByteString tokenKey = JoinTokens.key(token.id());
    ByteString nodeKey = Nodes.key(name);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ReadConsistency reads = PrefixScan.barrier(store, timeout);
      Optional<CertificateRecord> prior = ledger.byRequestId(requestId, reads);
      QueryResult tokenRead = PrefixScan.get(store, tokenKey, reads, timeout);
      if (!tokenRead.hasKv()) {
        throw refused("token " + token.id() + " unknown");
      }
      JoinTokenRecord record =
          JoinTokens.parse(tokenRead.getKv()).orElseThrow(() -> refused("token record malformed"));
      if (!token.matches(record.getSecretSha256().toByteArray())) {
        throw refused("token " + token.id() + ": wrong secret");
      }
      if (prior.isPresent()) {
        return replay(prior.get(), identity, name);
      }
      Instant now = clock.instant();
      if (record.getRevoked()) {
        throw refused("token " + token.id() + " revoked");
      }
      if (!now.isBefore(Instant.ofEpochMilli(Timestamps.toMillis(record.getExpiresAt())))) {
        throw refused("token " + token.id() + " expired");
      }
      TokenUses uses = TokenUses.read(store, token.id(), record.getMaxUses(), reads, timeout);
      OptionalInt slot = uses.freeSlot(random);
      if (slot.isEmpty()) {
        throw refused("token " + token.id() + " used up");
      }
      QueryResult nodeRead = PrefixScan.get(store, nodeKey, reads, timeout);
      if (nodeRead.hasKv() && !uses.nodes().contains(name)) {
        throw Status.ALREADY_EXISTS
            .withDescription(
                "node_name: \""
                    + name
                    + "\" (expected: a name not enrolled with another token; remove the node"
                    + " first to enroll it again)")
            .asRuntimeException();
      }
      long tokenRevision = tokenRead.getKv().getModRevision();
      long nodeRevision = nodeRead.hasKv() ? nodeRead.getKv().getModRevision() : 0;
      ByteString useKey = TokenUses.key(token.id(), slot.getAsInt());
      Optional<CertificateLedger.Issued> issued =
          ledger.issue(
              LeafRequest.forCsr(identity.spiffeId(), csr).lifetime(settings.current().nodeTtl()),
              CertificateKind.NODE_CERTIFICATE,
              name,
              requestId,
              cert ->
                  new Transaction()
                      // Revoking the token rewrites its record: this use then fails.
                      .unchanged(tokenKey, tokenRevision)
                      // Each use takes one slot of max_uses, once: concurrent enrollments with
                      // one token take different slots instead of racing on a shared counter.
                      .absent(useKey)
                      .unchanged(nodeKey, nodeRevision)
                      .put(useKey, ByteString.copyFromUtf8(name))
                      .put(nodeKey, Nodes.value(name, nodeSpec(request, cert, now))));
      if (issued.isPresent()) {
        metrics.tokenUses.labelValues("ok").inc();
        LOG.info(
            "node enrolled node={} token_id={} use={}/{} serial={}",
            name,
            token.id(),
            uses.count() + 1,
            record.getMaxUses(),
            issued.get().record().getSerial());
        return response(issued.get(), identity);
      }
      LOG.debug("enrollment of node={} raced (attempt {}); reading again", name, attempt + 1);
    }
    throw Status.ABORTED
        .withDescription("enrollment of " + name + " raced with other writes; retry")
        .asRuntimeException();
  }

  private EnrollResponse replay(CertificateRecord prior, MeshIdentity.Node identity, String name) {
    if (!prior.getSpiffeId().equals(identity.spiffeId().toString())
        || prior.getKind() != CertificateKind.NODE_CERTIFICATE) {
      throw Status.ALREADY_EXISTS
          .withDescription("request_id: already used for another certificate (expected: a new id)")
          .asRuntimeException();
    }
    LOG.info("enrollment retry node={} answered with serial={}", name, prior.getSerial());
    return response(ledger.answer(prior), identity);
  }

  private NodeSpec nodeSpec(EnrollRequest request, CertificateRecord cert, Instant now) {
    return NodeSpec.newBuilder()
        .setSpiffeId(cert.getSpiffeId())
        .setAddress(request.getAddress())
        .setCertificateSerial(cert.getSerial())
        .setCertificateNotAfter(cert.getNotAfter())
        .setEnrolledAt(Timestamps.fromMillis(now.toEpochMilli()))
        .setAgentVersion(request.getAgentVersion())
        .setLastSeen(Timestamps.fromMillis(now.toEpochMilli()))
        .build();
  }

  private EnrollResponse response(CertificateLedger.Issued issued, MeshIdentity.Node identity) {
    return EnrollResponse.newBuilder()
        .setCertificateChainPem(issued.chainPem())
        .setTrustBundlePem(issued.trustBundlePem())
        .setSpiffeId(identity.spiffeId().toString())
        .setTrustDomain(trustDomain.name())
        .setSerial(issued.record().getSerial())
        .setNotAfter(issued.record().getNotAfter())
        .build();
  }

  private StatusRuntimeException refused(String why) {
    metrics.tokenUses.labelValues("refused").inc();
    LOG.warn("enrollment refused: {}", why);
    return Status.UNAUTHENTICATED.withDescription(REFUSED).asRuntimeException();
  }
}
