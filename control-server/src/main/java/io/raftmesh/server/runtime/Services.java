package io.raftmesh.server.runtime;

import io.grpc.BindableService;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.proto.v1.IssuerRecord;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.XdsStream;
import io.raftmesh.server.admin.ClusterGrpcService;
import io.raftmesh.server.admin.ServerDirectory;
import io.raftmesh.server.auth.EnrolledNodes;
import io.raftmesh.server.ca.CertificateGrpcService;
import io.raftmesh.server.ca.CertificateLedger;
import io.raftmesh.server.ca.IssuerStore;
import io.raftmesh.server.config.ConfigGrpcService;
import io.raftmesh.server.config.MeshSettings;
import io.raftmesh.server.config.Nodes;
import io.raftmesh.server.delta.DeltaGrpcService;
import io.raftmesh.server.delta.Subscriptions;
import io.raftmesh.server.enroll.EnrollmentGrpcService;
import io.raftmesh.server.enroll.JoinTokens;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.registration.Heartbeats;
import io.raftmesh.server.registration.NodeReports;
import io.raftmesh.server.registration.RegistrationGrpcService;
import io.raftmesh.server.rpc.StatusMapping;
import io.raftmesh.server.rpc.Unary;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.RememberedAnswers;
import io.raftmesh.server.telemetry.TelemetryGrpcService;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import io.raftmesh.store.StoreMember;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The wiring of one server's components: created once at start, in dependency order. */
final class Services {
  private static final Logger LOG = LoggerFactory.getLogger(Services.class);

  private final StoreMember member;
  private final StoreClient store;
  private final Clock clock;
  private final Duration timeout;
  private final ServerMetrics metrics;
  private final IssuerStore issuers;
  private final NodeReports reports;
  private final Subscriptions subscriptions;
  private final Heartbeats heartbeats;
  private final ServerDirectory directory;
  private final AtomicReference<String> apiAddress;
  private final List<BindableService> bindable;

  private Services(
      StoreMember member,
      Clock clock,
      Duration timeout,
      ServerMetrics metrics,
      IssuerStore issuers,
      NodeReports reports,
      Subscriptions subscriptions,
      Heartbeats heartbeats,
      ServerDirectory directory,
      AtomicReference<String> apiAddress,
      List<BindableService> bindable) {
    this.member = member;
    this.store = member.client();
    this.clock = clock;
    this.timeout = timeout;
    this.metrics = metrics;
    this.issuers = issuers;
    this.reports = reports;
    this.subscriptions = subscriptions;
    this.heartbeats = heartbeats;
    this.directory = directory;
    this.apiAddress = apiAddress;
    this.bindable = List.copyOf(bindable);
  }

  static Services create(
      ServerConfig config,
      ServerMaterial material,
      StoreMember member,
      Clock clock,
      ServerMetrics metrics,
      ScheduledExecutorService background,
      TrustDomain td,
      Supplier<List<XdsStream>> xdsStreams,
      PrometheusRegistry registry) {
    StoreClient store = member.client();
    Duration timeout = config.requestTimeout();
    SecureRandom random = new SecureRandom();
    AtomicReference<String> apiAddress = new AtomicReference<>("");
    ServerDirectory directory = new ServerDirectory(member, config.id(), apiAddress::get, timeout);
    StatusMapping errors = new StatusMapping(directory);
    Unary unary = new Unary(errors);
    MeshSettings settings = new MeshSettings(store, timeout);
    RememberedAnswers answers = new RememberedAnswers(store, clock, timeout);
    IssuerStore issuers =
        new IssuerStore(
            store, material.kek(), td, clock, random, timeout, material.issuer() != null);
    CertificateLedger ledger =
        new CertificateLedger(store, issuers, clock, random, metrics, timeout);
    NodeReports reports = new NodeReports(store, settings, clock, metrics, timeout);
    Subscriptions subscriptions =
        new Subscriptions(member, config.id(), reports, metrics, errors, background);
    Heartbeats heartbeats = new Heartbeats(store, settings, clock, metrics, timeout);
    List<BindableService> bindable = new ArrayList<>();
    bindable.add(new ConfigGrpcService(store, answers, td, config.id(), unary, timeout));
    bindable.add(
        new EnrollmentGrpcService(
            store,
            ledger,
            new JoinTokens(store, clock, random, timeout),
            settings,
            td,
            clock,
            metrics,
            unary,
            timeout));
    bindable.add(
        new CertificateGrpcService(
            store,
            ledger,
            settings,
            td,
            () -> material.tls().trustBundle(),
            clock,
            metrics,
            unary,
            timeout));
    bindable.add(new DeltaGrpcService(subscriptions));
    bindable.add(
        new RegistrationGrpcService(member, reports, settings, answers, clock, unary, timeout));
    bindable.add(
        new ClusterGrpcService(
            member,
            directory,
            issuers,
            td,
            subscriptions::streamingHere,
            xdsStreams,
            clock,
            background,
            unary,
            timeout));
    // In memory only: agents' traffic summaries are not written through Raft.
    bindable.add(
        new TelemetryGrpcService(
            config.id(),
            store,
            config.telemetryWindow(),
            config.telemetryMaxEdges(),
            clock,
            registry,
            unary,
            timeout));
    return new Services(
        member,
        clock,
        timeout,
        metrics,
        issuers,
        reports,
        subscriptions,
        heartbeats,
        directory,
        apiAddress,
        bindable);
  }

  List<BindableService> bindable() {
    return bindable;
  }

  Subscriptions subscriptions() {
    return subscriptions;
  }

  NodeReports reports() {
    return reports;
  }

  /** The directory, now that this server's address is known. */
  ServerDirectory bindDirectory(String address) {
    apiAddress.set(address);
    return directory;
  }

  /**
   * Enrolled nodes: the local replica first; a node missing there is looked up linearizably (it may
   * have enrolled through another server a moment ago).
   */
  EnrolledNodes enrolledNodes() {
    return name -> {
      QueryResult r = PrefixScan.get(store, Nodes.key(name), ReadConsistency.stale(0), timeout);
      if (r.hasKv()) {
        return true;
      }
      try {
        return PrefixScan.get(store, Nodes.key(name), ReadConsistency.LINEARIZABLE, timeout)
            .hasKv();
      } catch (RuntimeException e) {
        // Without a leader the node cannot be confirmed; refusing would turn an outage into
        // PERMISSION_DENIED, so let the call run: it fails UNAVAILABLE where it needs the store.
        LOG.debug("enrolled check for node={} failed: {}", name, e.toString());
        return true;
      }
    };
  }

  /** The jobs only the leader runs. */
  List<LeaderJobs.Job> leaderJobs(ServerConfig config, ServerMaterial material) {
    List<LeaderJobs.Job> jobs = new ArrayList<>();
    IssuerRecord fromFile = material.issuer();
    if (fromFile != null) {
      jobs.add(
          new LeaderJobs.Job(
              "install-issuer", Duration.ofSeconds(2), () -> installIssuer(fromFile), true));
    }
    jobs.add(
        new LeaderJobs.Job(
            "heartbeats",
            config.reaperInterval(),
            () -> {
              heartbeats.run();
              return false;
            },
            false));
    Housekeeping housekeeping = new Housekeeping(store, clock, timeout);
    jobs.add(
        new LeaderJobs.Job(
            "housekeeping",
            config.housekeepingInterval(),
            () -> {
              housekeeping.run();
              return false;
            },
            false));
    return jobs;
  }

  /** Installs the issuer from --issuer-file when the store has none; true when settled. */
  private boolean installIssuer(IssuerRecord fromFile) {
    try {
      IssuerStore.Installed r =
          issuers.install(fromFile, false, "issuer-file/" + fromFile.getKeyId());
      if (r.changed()) {
        LOG.info(
            "member={} installed the issuing CA from --issuer-file key_id={} revision={}",
            member.id(),
            fromFile.getKeyId(),
            r.revision());
      }
      return true;
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
        LOG.warn(
            "member={} --issuer-file holds issuer {}, but the store already has another; keeping"
                + " the stored one ({})",
            member.id(),
            fromFile.getKeyId(),
            e.getStatus().getDescription());
        return true;
      }
      LOG.debug("installing the issuer failed, will retry: {}", e.getStatus());
      return false;
    } catch (RuntimeException e) {
      LOG.debug("installing the issuer failed, will retry: {}", e.toString());
      return false;
    }
  }

  ServerMetrics metrics() {
    return metrics;
  }
}
