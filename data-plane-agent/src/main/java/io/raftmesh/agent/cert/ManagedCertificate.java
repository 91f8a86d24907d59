package io.raftmesh.agent.cert;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.identity.StoredCertificate;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.tls.RotatingKeyManager;
import java.security.KeyPair;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One certificate the agent keeps fresh: its identity, the live key manager that TLS contexts use
 * (updated in place on rotation, so open connections are not touched), the current certificate and
 * when it is next renewed.
 */
public final class ManagedCertificate {
  private final CertificateKind kind;
  private final String name;
  private final SpiffeId spiffeId;
  private final RotatingKeyManager keyManager;
  private final CertificateIssuer issuer;
  private volatile StoredCertificate current;
  private volatile Instant nextRefresh;
  private volatile int failures;
  private volatile @Nullable String lastError;
  // The key and request id of a renewal in progress: retries reuse them, so a server that issued
  // before the answer was lost returns the same certificate.
  private @Nullable KeyPair pendingKey;
  private @Nullable String pendingRequestId;

  ManagedCertificate(
      CertificateKind kind,
      String name,
      SpiffeId spiffeId,
      StoredCertificate current,
      CertificateIssuer issuer,
      Instant nextRefresh) {
    this.kind = requireNonNull(kind, "kind");
    this.name = requireNonNull(name, "name");
    this.spiffeId = requireNonNull(spiffeId, "spiffeId");
    this.current = requireNonNull(current, "current");
    this.issuer = requireNonNull(issuer, "issuer");
    this.nextRefresh = requireNonNull(nextRefresh, "nextRefresh");
    this.keyManager = RotatingKeyManager.of(current.key(), current.chain());
  }

  /** Node or workload. */
  public CertificateKind kind() {
    return kind;
  }

  /** Its name in the identity directory. */
  public String name() {
    return name;
  }

  /** The identity it carries. */
  public SpiffeId spiffeId() {
    return spiffeId;
  }

  /** The live key manager (hand it to TLS contexts once; rotation updates it in place). */
  public RotatingKeyManager keyManager() {
    return keyManager;
  }

  /** The certificate now presented. */
  public StoredCertificate current() {
    return current;
  }

  /** When it is next renewed (or retried). */
  public Instant nextRefresh() {
    return nextRefresh;
  }

  /** Consecutive failed renewals. */
  public int failures() {
    return failures;
  }

  /** The last renewal error, or null after a success. */
  public @Nullable String lastError() {
    return lastError;
  }

  CertificateIssuer issuer() {
    return issuer;
  }

  synchronized void installed(StoredCertificate next, Instant refresh) {
    keyManager.update(next.key(), next.chain());
    current = next;
    nextRefresh = refresh;
    failures = 0;
    lastError = null;
    pendingKey = null;
    pendingRequestId = null;
  }

  synchronized void failed(String error, Instant retry) {
    failures++;
    lastError = error;
    nextRefresh = retry;
  }

  synchronized @Nullable KeyPair pendingKey() {
    return pendingKey;
  }

  synchronized @Nullable String pendingRequestId() {
    return pendingRequestId;
  }

  synchronized void pending(KeyPair key, String requestId) {
    pendingKey = key;
    pendingRequestId = requestId;
  }

  @Override
  public String toString() {
    return "ManagedCertificate{kind="
        + kind.label()
        + ", spiffe_id="
        + spiffeId
        + ", serial="
        + current.serial()
        + ", not_after="
        + current.notAfter()
        + "}";
  }
}
