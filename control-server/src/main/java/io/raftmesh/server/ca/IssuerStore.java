package io.raftmesh.server.ca;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.IssuancePolicy;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.keys.KeyEncryptionKey;
import io.raftmesh.ca.keys.KeyId;
import io.raftmesh.ca.keys.SealedKey;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.IssuerRecord;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuing CA as the cluster stores it: an {@link IssuerRecord} at {@link ServerKeys#ISSUER},
 * its private key sealed under the KEK every server is given. Any server unseals it (once per
 * installed version, then cached) and signs with it; the key is never written unsealed.
 */
public final class IssuerStore {
  private static final Logger LOG = LoggerFactory.getLogger(IssuerStore.class);

  /** Leaves never outlive the issuer: near its end they are cut to its notAfter. */
  static final IssuancePolicy POLICY =
      IssuancePolicy.DEFAULT
          .withMaxLifetime(Duration.ofDays(365))
          .withIssuerExpiry(IssuancePolicy.IssuerExpiry.TRUNCATE);

  private final StoreClient store;
  private final KeyEncryptionKey kek;
  private final TrustDomain trustDomain;
  private final Clock clock;
  private final SecureRandom random;
  private final Duration timeout;
  private final boolean installing;
  private volatile @Nullable Loaded cached;

  /**
   * An issuer store reading through {@code store}.
   *
   * @param installing whether this server was given an issuer file that the first leader stores:
   *     until it is stored, a missing issuer is a transient condition (UNAVAILABLE, retry), not a
   *     setup mistake (FAILED_PRECONDITION)
   */
  public IssuerStore(
      StoreClient store,
      KeyEncryptionKey kek,
      TrustDomain trustDomain,
      Clock clock,
      SecureRandom random,
      Duration timeout,
      boolean installing) {
    this.installing = installing;
    this.store = store;
    this.kek = kek;
    this.trustDomain = trustDomain;
    this.clock = clock;
    this.random = random;
    this.timeout = timeout;
  }

  /**
   * An installed issuer, unsealed.
   *
   * @param record the stored record
   * @param ca the issuing CA, ready to sign
   * @param bundle the roots to trust
   * @param modRevision the revision that installed it
   */
  public record Loaded(IssuerRecord record, IssuingCa ca, TrustBundle bundle, long modRevision) {}

  /**
   * The installed issuer.
   *
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE while the leader has yet to store the issuer
   *     file this server was given, FAILED_PRECONDITION when none is installed
   */
  public Loaded current() {
    return find()
        .orElseThrow(
            () ->
                installing
                    ? Status.UNAVAILABLE
                        .withDescription(
                            "the issuing CA is not stored yet (the leader stores it from"
                                + " --issuer-file after its election); retry")
                        .asRuntimeException()
                    : Status.FAILED_PRECONDITION
                        .withDescription(
                            "no issuing CA is installed (expected: run `raftmesh ca init` and start the"
                                + " servers with --issuer-file, or install one with InstallIssuer)")
                        .asRuntimeException());
  }

  /** The installed issuer, if any (the local replica first, then a linearizable read). */
  public Optional<Loaded> find() {
    QueryResult r = PrefixScan.get(store, ServerKeys.ISSUER, ReadConsistency.stale(0), timeout);
    if (!r.hasKv()) {
      r = PrefixScan.get(store, ServerKeys.ISSUER, ReadConsistency.LINEARIZABLE, timeout);
      if (!r.hasKv()) {
        return Optional.empty();
      }
    }
    Loaded c = cached;
    if (c != null && c.modRevision() == r.getKv().getModRevision()) {
      return Optional.of(c);
    }
    IssuerRecord record;
    try {
      record = IssuerRecord.parseFrom(r.getKv().getValue());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored issuer record is malformed: " + e.getMessage(), e);
    }
    Loaded loaded = load(record, r.getKv().getModRevision());
    cached = loaded;
    LOG.info(
        "issuing CA loaded key_id={} not_after={} revision={}",
        record.getKeyId(),
        loaded.ca().notAfter(),
        loaded.modRevision());
    return Optional.of(loaded);
  }

  /**
   * Unseals {@code record} with this server's KEK and checks it belongs to this trust domain.
   *
   * @throws IllegalArgumentException naming what does not fit (a wrong KEK, another trust domain)
   */
  Loaded load(IssuerRecord record, long modRevision) {
    List<X509Certificate> chain = Pem.decodeCertificates(record.getCertificateChainPem());
    IssuingCa ca =
        IssuingCa.unseal(
            chain,
            SealedKey.parse(record.getEncryptedPrivateKey().toByteArray()),
            kek,
            POLICY,
            clock,
            random);
    if (!ca.trustDomain().equals(trustDomain)) {
      throw new IllegalArgumentException(
          "issuer trust domain: "
              + ca.trustDomain()
              + " (expected: "
              + trustDomain
              + ", the trust domain of this server's certificate)");
    }
    TrustBundle bundle = TrustBundle.fromPem(trustDomain, record.getTrustBundlePem());
    return new Loaded(record, ca, bundle, modRevision);
  }

  /**
   * Checks that {@code record} is usable by this cluster (it unseals with this server's KEK, in
   * this trust domain) and fills in the fields the server owns.
   */
  IssuerRecord validate(IssuerRecord record) {
    Loaded loaded = load(record, 0);
    String keyId = KeyId.of(loaded.ca().certificate().getPublicKey()).toString();
    if (!record.getKeyId().isEmpty() && !record.getKeyId().equals(keyId)) {
      throw new IllegalArgumentException(
          "issuer.key_id: " + record.getKeyId() + " (expected: " + keyId + ", the certificate's)");
    }
    return record.toBuilder()
        .setKeyId(keyId)
        .setTrustDomain(trustDomain.name())
        .setNotAfter(Timestamps.fromMillis(loaded.ca().notAfter().toEpochMilli()))
        .setInstalledAt(Timestamps.fromMillis(clock.millis()))
        .build();
  }

  /**
   * Installs {@code record} unless an issuer with the same key is there already.
   *
   * @param replace replace an installed issuer with another key
   * @return the store revision and whether anything changed
   * @throws io.grpc.StatusRuntimeException FAILED_PRECONDITION when another issuer is installed and
   *     {@code replace} is false
   */
  public Installed install(IssuerRecord record, boolean replace, String requestId) {
    IssuerRecord checked = validate(record);
    QueryResult current =
        PrefixScan.get(store, ServerKeys.ISSUER, ReadConsistency.LINEARIZABLE, timeout);
    if (current.hasKv()) {
      IssuerRecord installed;
      try {
        installed = IssuerRecord.parseFrom(current.getKv().getValue());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException("stored issuer record is malformed", e);
      }
      if (installed.getKeyId().equals(checked.getKeyId())) {
        return new Installed(current.getKv().getModRevision(), false);
      }
      if (!replace) {
        throw Status.FAILED_PRECONDITION
            .withDescription(
                "issuer: key "
                    + checked.getKeyId()
                    + " (expected: the installed key "
                    + installed.getKeyId()
                    + ", or replace=true)")
            .asRuntimeException();
      }
    }
    Transaction txn =
        new Transaction()
            .unchanged(ServerKeys.ISSUER, current.hasKv() ? current.getKv().getModRevision() : 0)
            .put(ServerKeys.ISSUER, checked);
    StoreResult result = PrefixScan.await(store.txn(requestId, txn.build()), timeout);
    if (!result.getSucceeded()) {
      throw Status.ABORTED
          .withDescription("issuer: installed concurrently by another request; retry")
          .asRuntimeException();
    }
    LOG.info(
        "issuing CA installed key_id={} revision={} replaced={}",
        checked.getKeyId(),
        result.getRevision(),
        current.hasKv());
    return new Installed(result.getRevision(), true);
  }

  /**
   * The outcome of an install.
   *
   * @param revision the revision holding the issuer
   * @param changed whether this call wrote it
   */
  public record Installed(long revision, boolean changed) {}
}
