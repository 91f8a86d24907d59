package io.raftmesh.agent;

import static java.util.Objects.requireNonNull;

import io.raftmesh.agent.admin.AdminServer;
import io.raftmesh.agent.admin.AgentStatus;
import io.raftmesh.agent.cache.ConfigCache;
import io.raftmesh.agent.cert.CertificateIssuer;
import io.raftmesh.agent.cert.CertificateKind;
import io.raftmesh.agent.cert.CertificateRotator;
import io.raftmesh.agent.cert.ManagedCertificate;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.agent.control.Backoff;
import io.raftmesh.agent.control.ControlServers;
import io.raftmesh.agent.dataplane.DataPlane;
import io.raftmesh.agent.health.HealthChecks;
import io.raftmesh.agent.identity.Enroller;
import io.raftmesh.agent.identity.IdentityFiles;
import io.raftmesh.agent.identity.StoredCertificate;
import io.raftmesh.agent.register.Registrar;
import io.raftmesh.agent.subscribe.ConfigApplier;
import io.raftmesh.agent.subscribe.DeltaSubscriber;
import io.raftmesh.agent.subscribe.MeshView;
import io.raftmesh.agent.subscribe.SubscriptionMetrics;
import io.raftmesh.agent.telemetry.TelemetrySender;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.CertificateServiceGrpc;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.RenewNodeRequest;
import io.raftmesh.proto.v1.SignWorkloadRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-node agent. {@link #start} finds or enrolls the node identity, starts the data plane from
 * the cached config and stored workload certificates when it can (so a restart serves at once, even
 * with no control server), and then, in the background: registers the local services, gets their
 * workload certificates, starts the data plane if it could not yet, subscribes to config deltas,
 * heartbeats, runs health checks, and keeps every certificate fresh. {@link #close} deregisters the
 * node's endpoints and stops everything.
 *
 * <pre>{@code
 * AgentConfig config = AgentConfigParser.parse(yaml, "agent.yaml", Map.of());
 * try (Agent agent = Agent.start(config, AgentOptions.defaults(token, "0.1.0"))) {
 *   agent.awaitServing(Duration.ofSeconds(30));
 *   AgentStatus status = agent.status();
 * }
 * }</pre>
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  private final AgentConfig config;
  private final AgentOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final IdentityFiles files;
  private final ConfigCache cache;
  private final TrustDomain trustDomain;
  private final SpiffeId nodeId;
  private final MeshTrustManager controlTrust;
  private final MeshTrustManager meshTrust;
  private final AtomicReference<TrustBundle> bundle;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService healthScheduler;
  private final CertificateRotator rotator;
  private final ControlServers control;
  private final Registrar registrar;
  private final HealthChecks health;
  private final SubscriptionMetrics subscriptionMetrics;
  private final MeshView cachedView;
  private final Map<LocalServiceConfig, HealthStatus> unreported = new ConcurrentHashMap<>();
  private final CountDownLatch serving = new CountDownLatch(1);
  private final java.util.concurrent.CompletableFuture<Throwable> fatal =
      new java.util.concurrent.CompletableFuture<>();
  private final Thread bootstrap;
  private volatile @Nullable DataPlane dataPlane;
  private volatile @Nullable ConfigApplier applier;
  private volatile @Nullable DeltaSubscriber subscriber;
  private volatile @Nullable TelemetrySender telemetry;
  private volatile @Nullable AdminServer admin;
  private volatile @Nullable AdminServer metricsEndpoint;
  private volatile boolean registered;
  private volatile long registeredRevision;
  private volatile String dataPlaneState = "waiting: workload certificates";
  private volatile boolean closed;

  private Agent(AgentConfig config, AgentOptions options) throws InterruptedException {
    this.config = config;
    this.options = options;
    Path dataDir = config.dataDir();
    createDataDir(dataDir);
    try {
      this.lockChannel =
          FileChannel.open(
              dataDir.resolve("agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l = lockChannel.tryLock();
      if (l == null) {
        lockChannel.close();
        throw new AgentStartException(
            AgentStartException.Reason.DATA_DIR,
            "data dir "
                + dataDir
                + " is in use by another agent (expected: one agent per data dir)");
      }
      this.lock = l;
    } catch (IOException e) {
      throw new AgentStartException(
          AgentStartException.Reason.DATA_DIR, "cannot lock " + dataDir + ": " + e.getMessage(), e);
    }
    this.files = IdentityFiles.in(dataDir);
    this.cache = ConfigCache.in(dataDir);
    Backoff backoff = new Backoff(config.backoffMin(), config.backoffMax(), options.random());
    Enroller enroller =
        new Enroller(
            options.channels(),
            files,
            backoff,
            options.clock(),
            options.secureRandom(),
            options.random());
    NodeIdentityLoader.Loaded identity;
    try {
      identity =
          NodeIdentityLoader.load(
              config, files, options.joinToken(), enroller, options.version(), options.clock());
    } catch (RuntimeException | InterruptedException e) {
      releaseLock();
      throw e;
    }
    this.nodeId = identity.certificate().spiffeId();
    this.trustDomain = nodeId.trustDomain();
    this.bundle = new AtomicReference<>(identity.bundle());
    this.controlTrust =
        MeshTrustManager.of(identity.bundle(), Agent::isControlServer, options.clock());
    // The data plane decides who may call whom (AuthorizationPolicy); trust is the bundle alone.
    this.meshTrust = MeshTrustManager.of(identity.bundle(), id -> true, options.clock());
    this.scheduler = Executors.newScheduledThreadPool(2, daemon("raftmesh-agent-"));
    this.healthScheduler = Executors.newScheduledThreadPool(1, daemon("raftmesh-agent-health-"));
    this.rotator =
        new CertificateRotator(
            scheduler,
            files,
            bundle::get,
            this::bundleChanged,
            options.registry(),
            backoff,
            options.clock(),
            options.secureRandom(),
            options.random());
    AtomicReference<ControlServers> controlRef = new AtomicReference<>();
    ManagedCertificate node =
        rotator.track(
            CertificateKind.NODE,
            IdentityFiles.NODE,
            nodeId,
            identity.certificate(),
            renewNode(controlRef));
    this.control =
        new ControlServers(
            config.servers(),
            options.channels(),
            node.keyManager(),
            controlTrust,
            backoff,
            options.random());
    controlRef.set(control);
    this.registrar = new Registrar(control, config);
    this.health = new HealthChecks(healthScheduler, options.probe(), this::healthChanged);
    this.subscriptionMetrics = new SubscriptionMetrics(options.registry());
    this.cachedView =
        cache.load().map(c -> MeshView.of(c.revision(), c.resources())).orElse(MeshView.empty());
    this.bootstrap = new Thread(this::bootstrap, "raftmesh-agent-bootstrap");
    this.bootstrap.setDaemon(true);
  }

  /**
   * Starts an agent.
   *
   * @throws AgentStartException when the data dir, the stored identity or the data plane is
   *     unusable, or there is no identity and no token
   * @throws io.raftmesh.agent.identity.EnrollmentException when enrollment failed
   * @throws io.raftmesh.ca.token.InvalidJoinTokenException when the token is malformed
   * @throws InterruptedException when interrupted while enrolling
   */
  public static Agent start(AgentConfig config, AgentOptions options) throws InterruptedException {
    requireNonNull(config, "config");
    requireNonNull(options, "options");
    Agent agent = new Agent(config, options);
    try {
      agent.startLocal();
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
    return agent;
  }

  private void startLocal() {
    long begin = System.nanoTime();
    // Each load checks the key against its certificate (a signature): spread over the cores.
    config.services().parallelStream().forEach(this::loadWorkload);
    log.info(
        "stored workload certificates loaded services={} usable={} ms={}",
        config.services().size(),
        rotator.certificates().size() - 1,
        (System.nanoTime() - begin) / 1_000_000);
    try {
      AdminServer server =
          AdminServer.start(
              config.adminAddress(), config.adminPort(), this::status, options.registry());
      admin = server;
      Files.writeString(
          config.dataDir().resolve("admin.port"), server.port() + "\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new AgentStartException(
          AgentStartException.Reason.DATA_DIR,
          "admin endpoint: cannot listen on "
              + config.adminAddress()
              + ":"
              + config.adminPort()
              + ": "
              + e.getMessage(),
          e);
    }
    config
        .metricsAddress()
        .ifPresent(
            m -> {
              try {
                metricsEndpoint =
                    AdminServer.metricsOnly(
                        new InetSocketAddress(m.host(), m.port()), options.registry());
              } catch (IOException | RuntimeException e) {
                throw new AgentStartException(
                    AgentStartException.Reason.DATA_DIR,
                    "metrics endpoint: cannot listen on " + m + ": " + e.getMessage(),
                    e);
              }
            });
    log.info(
        "agent starting node={} spiffe_id={} servers={} data_dir={} services={} cached_revision={}"
            + " jvm_uptime_ms={}",
        config.nodeName(),
        nodeId,
        config.servers(),
        config.dataDir(),
        config.services().size(),
        cachedView.revision(),
        java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
    if (allWorkloadsReady()) {
      startDataPlane();
    }
    health.start(config.services());
    bootstrap.start();
  }

  private void loadWorkload(LocalServiceConfig service) {
    String name = IdentityFiles.workloadName(service.namespace(), service.name());
    SpiffeId id = workloadId(service);
    Optional<StoredCertificate> stored;
    try {
      stored = files.load(name);
    } catch (IllegalStateException e) {
      log.warn(
          "workload certificate unreadable service={} error={}",
          service.qualifiedName(),
          e.getMessage());
      return;
    }
    if (stored.isEmpty()) {
      return;
    }
    StoredCertificate cert = stored.get();
    if (!cert.spiffeId().equals(id) || cert.expiredAt(options.clock().instant())) {
      log.info(
          "stored workload certificate not usable service={} spiffe_id={} not_after={}",
          service.qualifiedName(),
          cert.spiffeId(),
          cert.notAfter());
      return;
    }
    rotator.track(CertificateKind.WORKLOAD, name, id, cert, signWorkload(service));
  }

  private boolean allWorkloadsReady() {
    for (LocalServiceConfig service : config.services()) {
      if (rotator.get(IdentityFiles.workloadName(service.namespace(), service.name())) == null) {
        return false;
      }
    }
    return true;
  }

  private synchronized void startDataPlane() {
    if (dataPlane != null || closed) {
      return;
    }
    DataPlane plane = options.dataPlane().create(config, trustDomain.name(), options.registry());
    Map<LocalServiceConfig, X509ExtendedKeyManager> identities = new LinkedHashMap<>();
    for (LocalServiceConfig service : config.services()) {
      ManagedCertificate cert =
          requireNonNull(
              rotator.get(IdentityFiles.workloadName(service.namespace(), service.name())));
      identities.put(service, cert.keyManager());
    }
    try {
      plane.start(identities, meshTrust);
    } catch (Exception e) {
      plane.close();
      throw new AgentStartException(
          AgentStartException.Reason.DATA_PLANE, "data plane did not start: " + e.getMessage(), e);
    }
    MeshView initial = MeshView.empty();
    if (cachedView.revision() > 0) {
      try {
        plane.apply(cachedView.resources(), cachedView.revision());
        initial = cachedView;
        log.info(
            "serving cached config revision={} resources={} jvm_uptime_ms={}",
            cachedView.revision(),
            cachedView.size(),
            java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
      } catch (io.raftmesh.agent.dataplane.RejectedConfigException e) {
        log.error(
            "cached config refused revision={} reason={}: starting empty",
            cachedView.revision(),
            e.getMessage());
      }
    }
    ConfigApplier a =
        new ConfigApplier(plane, cache, subscriptionMetrics, initial, options.clock());
    dataPlane = plane;
    applier = a;
    dataPlaneState = "serving";
    DeltaSubscriber s =
        new DeltaSubscriber(control, a, subscriptionMetrics, options.version(), options.clock());
    subscriber = s;
    s.start();
    TelemetrySender t =
        new TelemetrySender(
            config.nodeName(),
            control,
            s::connectedServer,
            plane::drainTraffic,
            config.telemetryInterval(),
            options.clock(),
            options.registry());
    telemetry = t;
    t.start();
    serving.countDown();
  }

  /** Registration, then workload certificates, then the data plane if it could not start yet. */
  private void bootstrap() {
    try {
      if (!config.services().isEmpty()) {
        for (int attempt = 0; !closed; attempt++) {
          try {
            Map<LocalServiceConfig, HealthStatus> sent = new ConcurrentHashMap<>();
            registeredRevision =
                registrar
                    .register(
                        s -> {
                          HealthStatus h = health.status(s);
                          sent.put(s, h);
                          return h;
                        },
                        1)
                    .getRevision();
            registered = true;
            // A check that changed while the registration was in flight is reported now.
            for (Map.Entry<LocalServiceConfig, HealthStatus> e : sent.entrySet()) {
              HealthStatus now = health.status(e.getKey());
              if (now != e.getValue()) {
                healthChanged(e.getKey(), now, "changed during registration");
              }
            }
            break;
          } catch (io.raftmesh.agent.control.ControlPlaneException e) {
            Duration delay = control.backoff().delay(attempt);
            log.warn(
                "registration failed attempt={} retry_in={}ms error={}",
                attempt + 1,
                delay.toMillis(),
                e.getMessage());
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
          }
        }
        for (LocalServiceConfig service : config.services()) {
          String name = IdentityFiles.workloadName(service.namespace(), service.name());
          if (rotator.get(name) == null && !closed) {
            dataPlaneState = "waiting: workload certificate of " + service.qualifiedName();
            rotator.issueAndTrack(
                CertificateKind.WORKLOAD, name, workloadId(service), signWorkload(service));
          }
        }
      }
      if (!closed) {
        startDataPlane();
        scheduleHeartbeat(Duration.ZERO);
      }
    } catch (InterruptedException e) {
      log.debug("bootstrap interrupted");
    } catch (RuntimeException | LinkageError e) {
      dataPlaneState = "failed: " + e.getMessage();
      log.error("agent bootstrap failed: {}", e.getMessage(), e);
      fatal.complete(e);
    }
  }

  /**
   * Completes with the error when the agent cannot go on (the data plane failed to start after the
   * first registration); the command line then exits with a failure.
   */
  public java.util.concurrent.CompletableFuture<Throwable> fatalError() {
    return fatal;
  }

  private void scheduleHeartbeat(Duration delay) {
    if (closed) {
      return;
    }
    var unused = scheduler.schedule(this::heartbeat, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void heartbeat() {
    if (closed) {
      return;
    }
    Duration next = config.heartbeatInterval();
    try {
      ConfigApplier a = applier;
      long revision = a == null ? 0 : a.applied().revision();
      next = registrar.heartbeat(revision);
      for (Map.Entry<LocalServiceConfig, HealthStatus> e : Map.copyOf(unreported).entrySet()) {
        registrar.reportHealth(e.getKey(), e.getValue(), "retried report");
        unreported.remove(e.getKey(), e.getValue());
      }
      reRegisterIfRemoved();
    } catch (io.raftmesh.agent.control.ControlPlaneException e) {
      log.warn("heartbeat failed error={}", e.getMessage());
    } catch (InterruptedException e) {
      return;
    } catch (RuntimeException e) {
      log.warn("heartbeat failed error={}", e.toString());
    }
    scheduleHeartbeat(next);
  }

  /** Endpoints removed by the servers (e.g. after a long outage) are registered again. */
  private void reRegisterIfRemoved() throws InterruptedException {
    ConfigApplier a = applier;
    if (!registered || a == null || a.applied().revision() <= registeredRevision) {
      return;
    }
    MeshView view = a.applied();
    for (LocalServiceConfig service : config.services()) {
      String key =
          io.raftmesh.agent.subscribe.ResourceKeys.of(
              io.raftmesh.proto.v1.ResourceType.ENDPOINT,
              service.namespace(),
              service.name() + "." + config.nodeName());
      if (view.get(key) == null) {
        log.warn(
            "endpoint missing from the mesh service={} revision={}: registering again",
            service.qualifiedName(),
            view.revision());
        registeredRevision = registrar.register(health::status, 1).getRevision();
        return;
      }
    }
  }

  private void healthChanged(LocalServiceConfig service, HealthStatus status, String detail) {
    if (!registered) {
      return; // the registration carries the current status
    }
    var unused =
        scheduler.submit(
            () -> {
              try {
                registrar.reportHealth(service, status, detail);
                unreported.remove(service);
              } catch (io.raftmesh.agent.control.ControlPlaneException e) {
                unreported.put(service, status);
                log.warn(
                    "health report failed service={} status={} error={}",
                    service.qualifiedName(),
                    status,
                    e.getMessage());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  private void bundleChanged(TrustBundle next) {
    bundle.set(next);
    controlTrust.setTrustBundle(next);
    meshTrust.setTrustBundle(next);
  }

  private CertificateIssuer renewNode(AtomicReference<ControlServers> controlRef) {
    return (csr, requestId) -> {
      RenewNodeRequest request =
          RenewNodeRequest.newBuilder().setCsrPem(csr).setRequestId(requestId).build();
      return requireNonNull(controlRef.get())
          .call(
              "renew node certificate",
              1,
              ch ->
                  CertificateServiceGrpc.newBlockingStub(ch)
                      .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                      .renewNode(request));
    };
  }

  private CertificateIssuer signWorkload(LocalServiceConfig service) {
    return (csr, requestId) -> {
      SignWorkloadRequest request =
          SignWorkloadRequest.newBuilder()
              .setNamespace(service.namespace())
              .setService(service.name())
              .setCsrPem(csr)
              .setRequestId(requestId)
              .build();
      return control.call(
          "sign workload certificate " + service.qualifiedName(),
          1,
          ch ->
              CertificateServiceGrpc.newBlockingStub(ch)
                  .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                  .signWorkload(request));
    };
  }

  private SpiffeId workloadId(LocalServiceConfig service) {
    return new MeshIdentity.Workload(trustDomain, service.namespace(), service.name()).spiffeId();
  }

  /**
   * Waits until the data plane serves (from the cache or after the first certificates).
   *
   * @return whether it does
   */
  public boolean awaitServing(Duration timeout) throws InterruptedException {
    return serving.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The revision of the config in force (0 before any). */
  public long appliedRevision() {
    ConfigApplier a = applier;
    return a == null ? cachedView.revision() : a.applied().revision();
  }

  /** The view in force. */
  public MeshView appliedView() {
    ConfigApplier a = applier;
    return a == null ? cachedView : a.applied();
  }

  /** The certificate rotator (status, tests, forced rotation). */
  public CertificateRotator certificates() {
    return rotator;
  }

  /** The node's SPIFFE ID. */
  public SpiffeId nodeId() {
    return nodeId;
  }

  /** The admin endpoint's port (once started), or 0. */
  public int adminPort() {
    AdminServer a = admin;
    return a == null ? 0 : a.port();
  }

  /** The metrics-only endpoint's port ({@code --metrics-address}), or 0 when there is none. */
  public int metricsPort() {
    AdminServer m = metricsEndpoint;
    return m == null ? 0 : m.port();
  }

  /** What {@code raftmesh agent status} prints. */
  public AgentStatus status() {
    return StatusReport.of(this);
  }

  AgentConfig config() {
    return config;
  }

  AgentOptions options() {
    return options;
  }

  @Nullable ConfigApplier applier() {
    return applier;
  }

  @Nullable DeltaSubscriber subscriber() {
    return subscriber;
  }

  boolean isRegistered() {
    return registered;
  }

  HealthChecks health() {
    return health;
  }

  String dataPlaneState() {
    return dataPlaneState;
  }

  /** Deregisters the node's endpoints (clean shutdown) and stops everything. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    log.info("agent stopping node={}", config.nodeName());
    bootstrap.interrupt();
    // First, while the proxy still counts and the stream still names its server: the last report.
    TelemetrySender t = telemetry;
    if (t != null) {
      t.close();
    }
    DeltaSubscriber s = subscriber;
    if (s != null) {
      s.close();
    }
    health.close();
    if (registered) {
      try {
        registrar.deregisterAll();
      } catch (io.raftmesh.agent.control.ControlPlaneException e) {
        log.warn(
            "deregistration failed (the servers will expire the endpoints): {}", e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    rotator.close();
    DataPlane plane = dataPlane;
    if (plane != null) {
      plane.close();
    }
    AdminServer a = admin;
    if (a != null) {
      a.close();
    }
    AdminServer m = metricsEndpoint;
    if (m != null) {
      m.close();
    }
    control.close();
    scheduler.shutdownNow();
    healthScheduler.shutdownNow();
    releaseLock();
    log.info("agent stopped node={}", config.nodeName());
  }

  private void releaseLock() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.debug("cannot release the data dir lock: {}", e.toString());
    }
  }

  private static void createDataDir(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
      }
    } catch (IOException e) {
      throw new AgentStartException(
          AgentStartException.Reason.DATA_DIR,
          "data dir " + dir + ": cannot create: " + e.getMessage(),
          e);
    }
  }

  private static boolean isControlServer(SpiffeId id) {
    try {
      return MeshIdentity.of(id) instanceof MeshIdentity.ControlServer;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** For status: the config's local services. */
  List<LocalServiceConfig> services() {
    return config.services();
  }
}
