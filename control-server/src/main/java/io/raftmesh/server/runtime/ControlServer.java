package io.raftmesh.server.runtime;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.tls.RotatingKeyManager;
import io.raftmesh.server.admin.ServerDirectory;
import io.raftmesh.server.auth.AccessPolicy;
import io.raftmesh.server.auth.CallerInterceptor;
import io.raftmesh.server.auth.CountingTrustManager;
import io.raftmesh.server.config.ConfigMarker;
import io.raftmesh.server.metrics.MetricsEndpoint;
import io.raftmesh.server.metrics.RpcMetricsInterceptor;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.xds.XdsServer;
import io.raftmesh.store.RaftTls;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreConfig;
import io.raftmesh.store.StoreMember;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control server: a replicated-store member (Raft over mutual TLS, control identities only),
 * the gRPC services over mutual TLS (client certificates optional so that enrollment works without
 * one; every other call is checked by {@link CallerInterceptor}), leader-only jobs, and Prometheus
 * metrics.
 *
 * <pre>{@code
 * ControlServer server = ControlServer.start(config);   // listening when it returns
 * server.grpcPort(); server.member().status();
 * server.close();                                        // sheds streams, stops everything
 * }</pre>
 */
public final class ControlServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

  private final ServerConfig config;
  private final StoreMember member;
  private final Server grpc;
  private final @Nullable MetricsEndpoint metricsEndpoint;
  private final Services services;
  private final @Nullable XdsServer xds;
  private final LeaderJobs leaderJobs;
  private final ScheduledExecutorService background;
  private final ExecutorService handlers;
  private final String apiAddress;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<ScheduledFuture<?>> periodic;

  private ControlServer(
      ServerConfig config,
      StoreMember member,
      Server grpc,
      @Nullable MetricsEndpoint metricsEndpoint,
      Services services,
      @Nullable XdsServer xds,
      LeaderJobs leaderJobs,
      ScheduledExecutorService background,
      ExecutorService handlers,
      String apiAddress,
      List<ScheduledFuture<?>> periodic) {
    this.periodic = List.copyOf(periodic);
    this.config = config;
    this.member = member;
    this.grpc = grpc;
    this.metricsEndpoint = metricsEndpoint;
    this.services = services;
    this.xds = xds;
    this.leaderJobs = leaderJobs;
    this.background = background;
    this.handlers = handlers;
    this.apiAddress = apiAddress;
  }

  /** Starts a server with the system clock and its own metrics registry. */
  public static ControlServer start(ServerConfig config) {
    return start(config, Clock.systemUTC(), new PrometheusRegistry());
  }

  /**
   * Starts a server.
   *
   * @throws IllegalArgumentException when the files it is given are wrong ({@code --option=value is
   *     not valid: reason})
   * @throws ServerStartException when it cannot listen or its store cannot start
   */
  public static ControlServer start(ServerConfig config, Clock clock, PrometheusRegistry registry) {
    LOG.info("starting control server {}", config);
    ServerMaterial material = ServerMaterial.load(config, clock);
    TrustDomain td = material.trustDomain();
    String clusterId = config.clusterId() != null ? config.clusterId() : td.name();
    if (!clusterId.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "--cluster-id is needed: the trust domain "
              + td
              + " is not a valid cluster id (1..64 of [A-Za-z0-9._-])");
    }
    checkPortFree("gRPC", config.bindAddress(), config.grpcPort());
    if (config.metricsPort() > 0) {
      checkPortFree("metrics", config.bindAddress(), config.metricsPort());
    }
    AtomicReference<@Nullable StoreMember> memberRef = new AtomicReference<>();
    AtomicReference<io.raftmesh.server.delta.@Nullable Subscriptions> subsRef =
        new AtomicReference<>();
    ServerMetrics metrics =
        new ServerMetrics(
            registry,
            BuildInfo.version(),
            BuildInfo.revision(),
            () -> {
              StoreMember m = memberRef.get();
              return m == null ? "stopped" : m.status().role().name();
            },
            () -> {
              var s = subsRef.get();
              return s == null ? 0 : s.size();
            });
    RotatingKeyManager keyManager =
        RotatingKeyManager.of(material.tls().key(), material.tls().chain());
    MeshTrustManager raftTrust =
        MeshTrustManager.of(material.tls().trustBundle(), ControlServer::isControl, clock);
    CountingTrustManager grpcTrust =
        new CountingTrustManager(
            MeshTrustManager.of(material.tls().trustBundle(), ControlServer::isMeshCaller, clock),
            metrics);

    StoreConfig storeConfig =
        StoreConfig.builder(config.id(), config.peers(), config.dataDir())
            .clusterId(clusterId)
            .tls(new RaftTls(keyManager, raftTrust))
            .bindHost(config.raftBindAddress())
            .joinExisting(config.joinExisting())
            .electionTimeout(config.electionTimeoutMin(), config.electionTimeoutMax())
            .requestTimeout(config.requestTimeout())
            .snapshotThreshold(config.snapshotThreshold())
            .changeLogRetention(config.changeLogRevisions(), config.changeLogAge())
            .build();
    MetricsEndpoint metricsEndpoint = null;
    if (config.metricsPort() >= 0) {
      try {
        metricsEndpoint =
            MetricsEndpoint.start(registry, config.bindAddress(), config.metricsPort());
      } catch (IOException e) {
        throw new ServerStartException(
            "metrics: cannot listen on "
                + config.bindAddress()
                + ":"
                + config.metricsPort()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    StoreMember member;
    try {
      member = StoreMember.start(storeConfig, registry);
    } catch (RuntimeException e) {
      if (metricsEndpoint != null) {
        metricsEndpoint.close();
      }
      throw new ServerStartException(String.valueOf(e.getMessage()), e);
    }
    memberRef.set(member);
    metrics.configRevision(
        registry,
        () ->
            ConfigMarker.revision(
                member.client(), ReadConsistency.stale(0), config.requestTimeout()));
    ExecutorService handlers =
        Executors.newFixedThreadPool(
            config.handlerThreads(), daemon("raftmesh-grpc-" + config.id()));
    ScheduledExecutorService background =
        Executors.newScheduledThreadPool(2, daemon("raftmesh-background-" + config.id()));
    Services services;
    XdsServer xds = null;
    Server grpc;
    String apiAddress;
    try {
      int port = config.grpcPort();
      String advertise = config.advertiseAddress();
      if (config.xds()) {
        xds = XdsServer.start(member, config.id(), registry, clock, config.xdsRetention());
      }
      XdsServer xdsServer = xds;
      services =
          Services.create(
              config,
              material,
              member,
              clock,
              metrics,
              background,
              td,
              xdsServer == null ? List::of : xdsServer::streams,
              registry);
      subsRef.set(services.subscriptions());
      CallerInterceptor callers =
          new CallerInterceptor(td, AccessPolicy.mesh(), services.enrolledNodes(), metrics);
      RpcMetricsInterceptor rpcMetrics = new RpcMetricsInterceptor(metrics);
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(config.bindAddress(), port),
                  TlsServerCredentials.newBuilder()
                      .keyManager(keyManager)
                      .trustManager(grpcTrust)
                      .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                      .build())
              .executor(handlers)
              .maxInboundMessageSize(8 * 1024 * 1024)
              .permitKeepAliveTime(10, TimeUnit.SECONDS)
              .permitKeepAliveWithoutCalls(true);
      for (var service : services.bindable()) {
        builder.addService(ServerInterceptors.intercept(service, callers, rpcMetrics));
      }
      if (xdsServer != null) {
        builder.addService(ServerInterceptors.intercept(xdsServer.service(), callers, rpcMetrics));
      }
      grpc = builder.build();
      try {
        grpc.start();
      } catch (IOException e) {
        throw new ServerStartException(
            "gRPC: cannot listen on "
                + config.bindAddress()
                + ":"
                + port
                + ": "
                + (isBind(e) ? "address already in use" : e.getMessage()),
            e);
      }
      apiAddress =
          advertise != null
              ? advertise
              : ServerConfig.hostOf(config.raftAddress()) + ":" + grpc.getPort();
    } catch (RuntimeException e) {
      if (xds != null) {
        xds.close();
      }
      background.shutdownNow();
      handlers.shutdownNow();
      member.close();
      if (metricsEndpoint != null) {
        metricsEndpoint.close();
      }
      throw e;
    }
    ServerDirectory directory = services.bindDirectory(apiAddress);
    LeaderJobs jobs = new LeaderJobs(config.id(), services.leaderJobs(config, material));
    member.addLeadershipListener(services.subscriptions());
    member.addLeadershipListener(jobs);
    List<ScheduledFuture<?>> periodic = new ArrayList<>();
    periodic.add(
        background.scheduleWithFixedDelay(
            () -> {
              try {
                services.reports().flush();
              } catch (RuntimeException e) {
                LOG.warn("member={} flushing node reports: {}", config.id(), e.toString());
              }
            },
            config.ackFlushInterval().toMillis(),
            config.ackFlushInterval().toMillis(),
            TimeUnit.MILLISECONDS));
    periodic.add(scheduleUntilDone(background, directory::recordSelf));
    ControlServer server =
        new ControlServer(
            config,
            member,
            grpc,
            metricsEndpoint,
            services,
            xds,
            jobs,
            background,
            handlers,
            apiAddress,
            periodic);
    LOG.info(
        "control server {} serving gRPC on {}:{} (advertised {}) raft={} metrics={} trust_domain={} cluster={}",
        config.id(),
        config.bindAddress(),
        grpc.getPort(),
        apiAddress,
        config.raftAddress(),
        metricsEndpoint == null ? "off" : config.bindAddress() + ":" + metricsEndpoint.port(),
        td,
        clusterId);
    return server;
  }

  private static ScheduledFuture<?> scheduleUntilDone(
      ScheduledExecutorService executor, java.util.function.BooleanSupplier task) {
    AtomicBoolean done = new AtomicBoolean();
    return executor.scheduleWithFixedDelay(
        () -> {
          if (!done.get() && task.getAsBoolean()) {
            done.set(true);
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static boolean isBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  private static void checkPortFree(String what, String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new ServerStartException(
          what
              + ": cannot listen on "
              + host
              + ":"
              + port
              + ": "
              + (isBind(e)
                  ? "address already in use (is another server or process on this port?)"
                  : e.getMessage()),
          e);
    }
  }

  static boolean isControl(SpiffeId id) {
    try {
      return MeshIdentity.of(id) instanceof MeshIdentity.ControlServer;
    } catch (InvalidSpiffeIdException e) {
      return false;
    }
  }

  static boolean isMeshCaller(SpiffeId id) {
    try {
      MeshIdentity m = MeshIdentity.of(id);
      return m instanceof MeshIdentity.ControlServer
          || m instanceof MeshIdentity.Admin
          || m instanceof MeshIdentity.Node;
    } catch (InvalidSpiffeIdException e) {
      return false;
    }
  }

  /** This server's member id. */
  public String id() {
    return config.id();
  }

  /** The configuration it started with. */
  public ServerConfig config() {
    return config;
  }

  /** The bound gRPC port. */
  public int grpcPort() {
    return grpc.getPort();
  }

  /** The address clients are told to use ({@code host:port}). */
  public String apiAddress() {
    return apiAddress;
  }

  /** The bound metrics port, or -1 without a metrics endpoint. */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  /** The store member (status, membership, and direct store access for tests and tools). */
  public StoreMember member() {
    return member;
  }

  /** Open delta streams. */
  public int openStreams() {
    return services.subscriptions().size();
  }

  /** The xDS server, or null when xDS is off ({@code --xds=false}). */
  public @Nullable XdsServer xds() {
    return xds;
  }

  /** Writes pending acknowledgements and liveness now (tests; the server does it periodically). */
  public int flushReports() {
    return services.reports().flush();
  }

  /** Stops serving: sheds delta streams, stops gRPC, leader jobs and the store. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("control server {} stopping", config.id());
    services.subscriptions().close();
    grpc.shutdown();
    try {
      if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      grpc.shutdownNow();
      Thread.currentThread().interrupt();
    }
    try {
      services.reports().flush();
    } catch (RuntimeException e) {
      LOG.debug("final flush of node reports failed: {}", e.toString());
    }
    if (xds != null) {
      xds.close();
    }
    leaderJobs.close();
    periodic.forEach(f -> f.cancel(false));
    background.shutdownNow();
    member.close();
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    handlers.shutdownNow();
    LOG.info("control server {} stopped", config.id());
  }
}
