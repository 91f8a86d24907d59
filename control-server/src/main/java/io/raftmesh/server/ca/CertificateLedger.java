package io.raftmesh.server.ca;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Timestamps;
import io.raftmesh.ca.issue.IssuedCertificate;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.issue.SerialNumber;
import io.raftmesh.proto.v1.CertificateKind;
import io.raftmesh.proto.v1.CertificateRecord;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.server.store.Stamped;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import io.raftmesh.store.StoreTimeoutException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues certificates so that each is recorded through Raft before anyone sees it: the leaf is
 * signed here (a random serial, never reused: the write compares that {@code _certs/<serial>} is
 * absent), then one transaction writes the {@link CertificateRecord}, the request id and whatever
 * the caller's flow needs (a token use, the Node resource), guarded by the caller's compares. Only
 * when it commits is the certificate returned. A request id maps to at most one certificate, so a
 * retried request gets the first certificate back instead of a second one.
 */
public final class CertificateLedger {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateLedger.class);

  private final StoreClient store;
  private final IssuerStore issuers;
  private final Clock clock;
  private final SecureRandom random;
  private final ServerMetrics metrics;
  private final Duration timeout;

  /** A ledger writing through {@code store}. */
  public CertificateLedger(
      StoreClient store,
      IssuerStore issuers,
      Clock clock,
      SecureRandom random,
      ServerMetrics metrics,
      Duration timeout) {
    this.store = store;
    this.issuers = issuers;
    this.clock = clock;
    this.random = random;
    this.metrics = metrics;
    this.timeout = timeout;
  }

  /** The issuer store. */
  public IssuerStore issuers() {
    return issuers;
  }

  /** The certificate recorded for {@code requestId}, if one was (linearizable). */
  public Optional<CertificateRecord> byRequestId(String requestId) {
    return byRequestId(requestId, ReadConsistency.LINEARIZABLE);
  }

  /** The certificate recorded for {@code requestId}, if one was, read with {@code reads}. */
  public Optional<CertificateRecord> byRequestId(String requestId, ReadConsistency reads) {
    QueryResult r =
        PrefixScan.get(store, ServerKeys.key(ServerKeys.CERT_REQUESTS, requestId), reads, timeout);
    if (!r.hasKv()) {
      return Optional.empty();
    }
    String serial = Stamped.decode(r.getKv().getValue()).payload().toStringUtf8();
    return bySerial(serial, reads);
  }

  /** The record of {@code serial}, if it exists, read with {@code reads}. */
  public Optional<CertificateRecord> bySerial(String serial, ReadConsistency reads) {
    QueryResult r = PrefixScan.get(store, ServerKeys.key(ServerKeys.CERTS, serial), reads, timeout);
    if (!r.hasKv()) {
      return Optional.empty();
    }
    try {
      return Optional.of(CertificateRecord.parseFrom(r.getKv().getValue()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("certificate record " + serial + " is malformed", e);
    }
  }

  /** What a successful issuance returns. */
  public record Issued(CertificateRecord record, String chainPem, String trustBundlePem) {}

  /**
   * Signs {@code request} (its serial is chosen here) and records it, with the writes and compares
   * of {@code flow} in the same transaction.
   *
   * @param flow adds the caller's compares and writes for this certificate to the transaction
   * @return the certificate, or empty when a compare failed (the caller re-reads and decides)
   */
  public Optional<Issued> issue(
      LeafRequest.Builder request,
      CertificateKind kind,
      String node,
      String requestId,
      Function<CertificateRecord, Transaction> flow) {
    IssuerStore.Loaded issuer = issuers.current();
    SerialNumber serial = SerialNumber.random(random);
    IssuedCertificate cert = issuer.ca().issue(request.serial(serial).build());
    CertificateRecord record =
        CertificateRecord.newBuilder()
            .setSerial(cert.serial().toString())
            .setSpiffeId(cert.spiffeId().toString())
            .setKind(kind)
            .setNode(node)
            .setNotBefore(Timestamps.fromMillis(cert.notBefore().toEpochMilli()))
            .setNotAfter(Timestamps.fromMillis(cert.notAfter().toEpochMilli()))
            .setRequestId(requestId)
            .setIssuerKeyId(issuer.record().getKeyId())
            .setCertificatePem(cert.certificatePem())
            .build();
    ByteString certKey = ServerKeys.key(ServerKeys.CERTS, record.getSerial());
    ByteString requestKey = ServerKeys.key(ServerKeys.CERT_REQUESTS, requestId);
    Transaction txn =
        flow.apply(record)
            .absent(certKey)
            .absent(requestKey)
            .unchanged(ServerKeys.ISSUER, issuer.modRevision())
            .put(certKey, record)
            .put(
                requestKey,
                new Stamped(clock.instant(), ByteString.copyFromUtf8(record.getSerial())).encode());
    StoreCommand command =
        StoreCommand.newBuilder()
            .setRequestId("cert/" + record.getSerial())
            .setTxn(txn.build())
            .build();
    StoreResult result = submit(command);
    if (!result.getSucceeded()) {
      return Optional.empty();
    }
    String kindLabel = label(kind);
    metrics.issued(kindLabel);
    LOG.info(
        "certificate issued kind={} serial={} spiffe_id={} node={} not_after={} revision={}",
        kindLabel,
        record.getSerial(),
        record.getSpiffeId(),
        node.isEmpty() ? "-" : node,
        cert.notAfter(),
        result.getRevision());
    return Optional.of(new Issued(record, cert.chainPem(), issuer.bundle().toPem()));
  }

  /**
   * A recorded certificate as an answer: its PEM, then the current issuer's chain above it.
   *
   * @throws IllegalStateException when the issuer that signed it is no longer installed
   */
  public Issued answer(CertificateRecord record) {
    IssuerStore.Loaded issuer = issuers.current();
    if (!issuer.record().getKeyId().equals(record.getIssuerKeyId())) {
      throw io.grpc.Status.FAILED_PRECONDITION
          .withDescription(
              "certificate "
                  + record.getSerial()
                  + " was signed by issuer "
                  + record.getIssuerKeyId()
                  + ", which is no longer installed; retry with a new request id")
          .asRuntimeException();
    }
    String chain =
        record.getCertificatePem() + io.raftmesh.ca.pem.Pem.encodeCertificates(issuer.ca().chain());
    return new Issued(record, chain, issuer.bundle().toPem());
  }

  /** Submits once more with the same store request id after a timeout (the store dedupes it). */
  private StoreResult submit(StoreCommand command) {
    try {
      return PrefixScan.await(store.submit(command), timeout);
    } catch (StoreTimeoutException first) {
      LOG.warn(
          "request_id={} timed out; retrying once: {}", command.getRequestId(), first.getMessage());
      return PrefixScan.await(store.submit(command), timeout);
    }
  }

  /** The metrics label of a kind. */
  static String label(CertificateKind kind) {
    return switch (kind) {
      case NODE_CERTIFICATE -> "node";
      case WORKLOAD_CERTIFICATE -> "workload";
      case SERVER_CERTIFICATE -> "server";
      case ADMIN_CERTIFICATE -> "admin";
      default -> kind.name().toLowerCase(Locale.ROOT);
    };
  }
}
