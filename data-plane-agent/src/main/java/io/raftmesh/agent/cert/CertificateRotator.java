package io.raftmesh.agent.cert;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.control.Backoff;
import io.raftmesh.agent.identity.IdentityFiles;
import io.raftmesh.agent.identity.StoredCertificate;
import io.raftmesh.ca.CaException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.CertificateResponse;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's and the workloads' certificates fresh. Each is renewed at a random point between
 * 50% and 80% of its lifetime ({@link RefreshSchedule}) with a fresh key, against any server; a
 * failed renewal is retried with jittered backoff (the old certificate stays in use until it
 * expires). A new certificate is checked (its SPIFFE ID, its chain against the trust bundle, its
 * key), stored in the data dir, then swapped into the live key manager: new handshakes present it,
 * open connections are untouched. One log line per rotation gives the expiry and the outage budget.
 */
public final class CertificateRotator {
  private static final Logger log = LoggerFactory.getLogger(CertificateRotator.class);

  private final ScheduledExecutorService scheduler;
  private final IdentityFiles files;
  private final Supplier<TrustBundle> bundle;
  private final Consumer<TrustBundle> bundleChanged;
  private final Backoff backoff;
  private final Clock clock;
  private final SecureRandom secureRandom;
  private final RandomGenerator random;
  private final Map<String, ManagedCertificate> certificates = new ConcurrentHashMap<>();
  private final Map<String, ScheduledFuture<?>> tasks = new ConcurrentHashMap<>();
  private final CertificateMetrics metrics;
  private volatile boolean closed;

  /**
   * A rotator that schedules on {@code scheduler}, stores in {@code files}, verifies against {@code
   * bundle}, and reports a new bundle from a server to {@code bundleChanged}.
   */
  public CertificateRotator(
      ScheduledExecutorService scheduler,
      IdentityFiles files,
      Supplier<TrustBundle> bundle,
      Consumer<TrustBundle> bundleChanged,
      io.prometheus.metrics.model.registry.PrometheusRegistry registry,
      Backoff backoff,
      Clock clock,
      SecureRandom secureRandom,
      RandomGenerator random) {
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.files = requireNonNull(files, "files");
    this.bundle = requireNonNull(bundle, "bundle");
    this.bundleChanged = requireNonNull(bundleChanged, "bundleChanged");
    this.backoff = requireNonNull(backoff, "backoff");
    this.clock = requireNonNull(clock, "clock");
    this.secureRandom = requireNonNull(secureRandom, "secureRandom");
    this.random = requireNonNull(random, "random");
    this.metrics = new CertificateMetrics(registry, certificates::values, clock);
  }

  /** The certificates tracked, in no order. */
  public Collection<ManagedCertificate> certificates() {
    return List.copyOf(certificates.values());
  }

  /** The certificate stored under {@code name}, or null. */
  public @org.jspecify.annotations.Nullable ManagedCertificate get(String name) {
    return certificates.get(name);
  }

  /** Time until the first certificate expires (zero when one has; null when none is tracked). */
  public @org.jspecify.annotations.Nullable Duration outageBudget() {
    Instant earliest = CertificateMetrics.earliest(certificates.values(), null);
    if (earliest == null) {
      return null;
    }
    Duration left = Duration.between(clock.instant(), earliest);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Starts keeping {@code current} fresh (from disk, or just issued), and returns its live holder.
   */
  public ManagedCertificate track(
      CertificateKind kind,
      String name,
      SpiffeId spiffeId,
      StoredCertificate current,
      CertificateIssuer issuer) {
    Instant refresh =
        RefreshSchedule.refreshAt(current.lifetimeStart(), current.notAfter(), random);
    ManagedCertificate managed =
        new ManagedCertificate(kind, name, spiffeId, current, issuer, refresh);
    ManagedCertificate old = certificates.put(name, managed);
    if (old != null) {
      cancel(name);
    }
    schedule(managed);
    log.info(
        "certificate tracked kind={} spiffe_id={} serial={} not_after={} next_refresh={}",
        kind.label(),
        spiffeId,
        current.serial(),
        current.notAfter(),
        refresh);
    return managed;
  }

  /**
   * Issues a first certificate for {@code spiffeId} (blocking, retried with backoff until it
   * succeeds), stores it and tracks it.
   *
   * @throws InterruptedException when interrupted
   */
  public ManagedCertificate issueAndTrack(
      CertificateKind kind, String name, SpiffeId spiffeId, CertificateIssuer issuer)
      throws InterruptedException {
    KeyPair key = KeyAlgorithm.EC_P256.generateKeyPair(secureRandom);
    String requestId = UUID.randomUUID().toString();
    String csr = Csr.create(key).toPem();
    for (int attempt = 0; ; attempt++) {
      if (closed) {
        throw new InterruptedException("agent is shutting down");
      }
      try {
        StoredCertificate cert = accept(spiffeId, key, issuer.issue(csr, requestId));
        files.store(name, cert);
        metrics.refreshed(kind, true);
        log.info(
            "certificate issued kind={} spiffe_id={} serial={} not_after={}",
            kind.label(),
            spiffeId,
            cert.serial(),
            cert.notAfter());
        return track(kind, name, spiffeId, cert, issuer);
      } catch (RuntimeException e) {
        metrics.refreshed(kind, false);
        Duration delay = backoff.delay(attempt);
        log.warn(
            "certificate issue failed kind={} spiffe_id={} attempt={} retry_in={}ms error={}",
            kind.label(),
            spiffeId,
            attempt + 1,
            delay.toMillis(),
            e.getMessage());
        TimeUnit.NANOSECONDS.sleep(delay.toNanos());
      }
    }
  }

  /** Renews {@code name} now (tests, and an operator's forced rotation). */
  public void refreshNow(String name) {
    ManagedCertificate managed = certificates.get(name);
    if (managed != null) {
      cancel(name);
      tasks.put(name, scheduler.schedule(() -> refresh(managed), 0, TimeUnit.MILLISECONDS));
    }
  }

  /** Stops renewing {@code name}. */
  public void untrack(String name) {
    certificates.remove(name);
    cancel(name);
  }

  /** Stops every renewal. */
  public void close() {
    closed = true;
    for (String name : List.copyOf(tasks.keySet())) {
      cancel(name);
    }
  }

  private void cancel(String name) {
    ScheduledFuture<?> task = tasks.remove(name);
    if (task != null) {
      task.cancel(false);
    }
  }

  private void schedule(ManagedCertificate managed) {
    if (closed) {
      return;
    }
    long delay = Math.max(0, Duration.between(clock.instant(), managed.nextRefresh()).toMillis());
    tasks.put(
        managed.name(), scheduler.schedule(() -> refresh(managed), delay, TimeUnit.MILLISECONDS));
  }

  private void refresh(ManagedCertificate managed) {
    if (closed || certificates.get(managed.name()) != managed) {
      return;
    }
    KeyPair key = managed.pendingKey();
    String requestId = managed.pendingRequestId();
    if (key == null || requestId == null) {
      key = KeyAlgorithm.EC_P256.generateKeyPair(secureRandom);
      requestId = UUID.randomUUID().toString();
      managed.pending(key, requestId);
    }
    try {
      CertificateResponse response = managed.issuer().issue(Csr.create(key).toPem(), requestId);
      StoredCertificate next = accept(managed.spiffeId(), key, response);
      files.store(managed.name(), next);
      Instant refresh = RefreshSchedule.refreshAt(next.lifetimeStart(), next.notAfter(), random);
      managed.installed(next, refresh);
      metrics.refreshed(managed.kind(), true);
      Duration budget = outageBudget();
      log.info(
          "certificate rotated kind={} spiffe_id={} serial={} not_after={} next_refresh={}"
              + " outage_budget={}s",
          managed.kind().label(),
          managed.spiffeId(),
          next.serial(),
          next.notAfter(),
          refresh,
          budget == null ? 0 : budget.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException e) {
      metrics.refreshed(managed.kind(), false);
      Duration delay = backoff.delay(managed.failures());
      Instant retry = clock.instant().plus(delay);
      managed.failed(String.valueOf(e.getMessage()), retry);
      Duration budget = outageBudget();
      boolean expired = managed.current().expiredAt(clock.instant());
      String message =
          "certificate refresh failed kind={} spiffe_id={} attempt={} retry_in={}ms expired={}"
              + " outage_budget={}s error={}";
      Object[] args = {
        managed.kind().label(),
        managed.spiffeId(),
        managed.failures(),
        delay.toMillis(),
        expired,
        budget == null ? 0 : budget.toSeconds(),
        e.getMessage()
      };
      if (expired) {
        log.error(message, args);
      } else {
        log.warn(message, args);
      }
    }
    if (certificates.get(managed.name()) == managed) {
      schedule(managed);
    }
  }

  /** Checks a server's answer: our key, the identity we asked for, a chain to a trusted root. */
  private StoredCertificate accept(SpiffeId expected, KeyPair key, CertificateResponse response) {
    List<X509Certificate> chain;
    TrustBundle trust = bundle.get();
    try {
      chain = Pem.decodeCertificates(response.getCertificateChainPem());
      if (!response.getTrustBundlePem().isBlank()) {
        TrustBundle offered =
            TrustBundle.fromPem(trust.trustDomain(), response.getTrustBundlePem());
        if (!offered.fingerprints().equals(trust.fingerprints())) {
          // Roots rotated: accept the new bundle only once a chain verifies against it.
          ChainVerifier.of(offered, clock).verify(chain, ChainVerifier.PeerRole.CLIENT);
          log.info(
              "trust bundle changed roots={} (was {})",
              offered.fingerprints(),
              trust.fingerprints());
          files.storeBundle(offered);
          bundleChanged.accept(offered);
          trust = offered;
        }
      }
      ChainVerifier.of(trust, clock).verify(chain, ChainVerifier.PeerRole.CLIENT);
    } catch (CaException e) {
      throw new IllegalStateException("unacceptable certificate: " + e.getMessage(), e);
    }
    SpiffeId got = SpiffeId.fromCertificate(chain.get(0));
    if (!got.equals(expected)) {
      throw new IllegalStateException("certificate for " + got + " (expected: " + expected + ")");
    }
    if (!java.util.Arrays.equals(
        chain.get(0).getPublicKey().getEncoded(), key.getPublic().getEncoded())) {
      throw new IllegalStateException(
          "certificate for another key (expected: the key of the CSR sent)");
    }
    return new StoredCertificate(key.getPrivate(), chain, clock.instant());
  }
}
