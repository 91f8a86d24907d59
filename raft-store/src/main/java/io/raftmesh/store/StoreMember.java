package io.raftmesh.store;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.proto.v1.ChangesResult;
import io.raftmesh.proto.v1.Retention;
import io.raftmesh.store.rocks.ProtoTime;
import io.raftmesh.store.rocks.StoreState;
import io.raftmesh.store.statemachine.StoreStateMachine;
import io.raftmesh.store.watch.WatchHub;
import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.ExitUtils;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the replicated store, running in this process: a Ratis server whose state machine
 * keeps its data in RocksDB, plus a {@link StoreClient} bound to it.
 *
 * <pre>{@code
 * StoreMember member = StoreMember.start(config, registry);   // FORMAT first time, RECOVER after
 * member.addLeadershipListener(listener);                     // leader-only jobs, "no leader"
 * member.client().put(StoreClient.newRequestId(), key, value).join();
 * QueryResult r = member.client().get(key).join();            // linearizable, via this replica
 * Watch w = member.watch(r.getRevision(), watchListener);     // every later change, no gap
 * member.close();
 * }</pre>
 *
 * <p>Operations of the membership group ({@link Membership}), backups ({@link #openBackup()}) and
 * status ({@link #status()}) are here too; Ratis types never appear in this API.
 */
public final class StoreMember implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreMember.class);

  private final StoreConfig config;
  private final RaftGroupId groupId;
  private final RaftServer server;
  private final StoreStateMachine stateMachine;
  private final MemberEvents events;
  private final WatchHub watches;
  private final RatisStoreClient client;
  private final Membership membership;
  private final AtomicBoolean closed = new AtomicBoolean();

  private StoreMember(
      StoreConfig config,
      RaftGroupId groupId,
      RaftServer server,
      StoreStateMachine stateMachine,
      MemberEvents events,
      WatchHub watches,
      RatisStoreClient client) {
    this.config = config;
    this.groupId = groupId;
    this.server = server;
    this.stateMachine = stateMachine;
    this.events = events;
    this.watches = watches;
    this.client = client;
    this.membership = new Membership(config.memberId(), client.raft(), this::status);
  }

  /** Starts a member without exporting metrics (they are still counted). */
  public static StoreMember start(StoreConfig config) {
    return start(config, new PrometheusRegistry());
  }

  /**
   * Starts a member: formats its data dir on the first start and recovers it afterwards, checks
   * that the dir belongs to this cluster and member, and begins serving Raft on its address.
   *
   * @throws StoreStartException naming the member and what went wrong (foreign data dir, port in
   *     use, unreadable storage)
   */
  public static StoreMember start(StoreConfig config, PrometheusRegistry registry) {
    embedRatis();
    RaftGroupId groupId = RaftSetup.groupId(config.clusterId());
    DataDir dir = new DataDir(config.dataDir());
    boolean recover;
    try {
      dir.claim(config.clusterId(), groupId, config.memberId());
      recover = dir.hasRaftStorage(groupId);
    } catch (IOException e) {
      throw new StoreStartException(
          "member " + config.memberId() + ": cannot use data dir " + config.dataDir() + ": " + e,
          e);
    }
    Holder holder = new Holder();
    WatchHub watches =
        new WatchHub(
            new WatchHub.Source() {
              @Override
              public ChangesResult changes(long afterRevision, int limit) {
                return holder.sm().changes(afterRevision, limit);
              }

              @Override
              public long revision() {
                return holder.sm().liveStore().state().revision();
              }

              @Override
              public long compactRevision() {
                return holder.sm().liveStore().state().compactRevision();
              }
            },
            "raftmesh-store-" + config.memberId(),
            2);
    StoreMetrics metrics =
        new StoreMetrics(registry, () -> holder.member().status(), watches::size);
    MemberEvents events =
        new MemberEvents(config.memberId(), config.electionTimeoutMax(), metrics, watches);
    Retention retention =
        Retention.newBuilder()
            .setRequestIds(ProtoTime.duration(config.requestIdRetention()))
            .setChangeLogRevisions(config.changeLogRevisions())
            .setChangeLogAge(ProtoTime.duration(config.changeLogAge()))
            .build();
    StoreStateMachine sm =
        new StoreStateMachine(
            dir.db,
            new StoreStateMachine.Settings(
                config.maxValueBytes(),
                config.maxRequestBytes(),
                retention,
                config.snapshotsRetained()),
            events,
            Clock.systemUTC());
    holder.sm = sm;
    RaftGroup group =
        config.joinExisting() && !recover
            ? RaftGroup.valueOf(groupId)
            : RaftGroup.valueOf(groupId, RaftSetup.peers(config.peers()));
    RaftServer server;
    try {
      server =
          RaftServer.newBuilder()
              .setServerId(org.apache.ratis.protocol.RaftPeerId.valueOf(config.memberId()))
              .setGroup(group)
              .setStateMachine(sm)
              .setProperties(RaftSetup.serverProperties(config, dir.raft))
              .setParameters(RaftSetup.parameters(config.tls()))
              .setOption(
                  recover ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
              .build();
    } catch (IOException | RuntimeException e) {
      events.close();
      watches.close();
      throw new StoreStartException(
          "member " + config.memberId() + ": cannot create the Raft server: " + e, e);
    }
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      closeQuietly(server);
      events.close();
      watches.close();
      throw startFailure(config, e);
    }
    RaftClient[] raftClients =
        RatisStoreClient.newRaftClients(
            RaftGroup.valueOf(groupId, RaftSetup.peers(config.peers())),
            config.tls(),
            config.requestTimeout());
    RatisStoreClient client =
        new RatisStoreClient(
            raftClients, new QueryPath.Local(server, groupId, sm), config.requestTimeout());
    StoreMember member = new StoreMember(config, groupId, server, sm, events, watches, client);
    holder.member = member;
    events.startWatchdog(member::leaderView);
    LOG.info(
        "member={} started ({}) cluster={} group={} address={} peers={} tls={}",
        config.memberId(),
        recover ? "RECOVER" : "FORMAT",
        config.clusterId(),
        groupId.getUuid(),
        config.address(),
        config.peers().keySet(),
        config.tls() != null);
    return member;
  }

  /**
   * Ratis is built to own its process: on some failures (a port in use) it calls {@code
   * System.exit}, and loading its ExitUtils installs a JVM-wide uncaught-exception handler that
   * exits too. Embedded in a control server, neither is acceptable: exits become exceptions (which
   * {@link #start} reports), and the host's own handler is put back.
   */
  private static synchronized void embedRatis() {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    ExitUtils.disableSystemExit();
    ExitUtils.setTerminateOnUncaughtException(false);
    Thread.setDefaultUncaughtExceptionHandler(previous);
  }

  private static StoreStartException startFailure(StoreConfig config, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return new StoreStartException(
            "member "
                + config.memberId()
                + ": cannot listen on "
                + (config.bindHost() != null
                    ? config.bindHost()
                    : StoreConfig.hostOf(config.address()))
                + ":"
                + config.port()
                + ": address already in use (is another member or process on this port?)",
            e);
      }
    }
    return new StoreStartException(
        "member " + config.memberId() + ": cannot start the Raft server: " + e, e);
  }

  private static void closeQuietly(RaftServer server) {
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing a server that failed to start: {}", e.toString());
    }
  }

  /** This member's id. */
  public String id() {
    return config.memberId();
  }

  /** The configuration it started with. */
  public StoreConfig config() {
    return config;
  }

  /** The client bound to this member: writes through Raft, reads served by this replica. */
  public StoreClient client() {
    return client;
  }

  /** Membership changes and leadership transfer. */
  public Membership membership() {
    return membership;
  }

  /** Registers a listener for leadership events (see {@link LeadershipListener}). */
  public void addLeadershipListener(LeadershipListener listener) {
    events.add(listener);
  }

  /** Removes a listener. */
  public void removeLeadershipListener(LeadershipListener listener) {
    events.remove(listener);
  }

  /** This member's current view of itself and the cluster. Cheap; safe to call often. */
  public MemberStatus status() {
    StoreState state = localState();
    return MemberStatusReader.read(
        config.memberId(), server, groupId, stateMachine, state, closed.get());
  }

  private StoreState localState() {
    try {
      return stateMachine.liveStore().state();
    } catch (StoreClosedException e) {
      return StoreState.EMPTY;
    }
  }

  MemberEvents.LeaderView leaderView() {
    return MemberStatusReader.leaderView(server, groupId, closed.get());
  }

  /**
   * Change-log records after {@code revision} on the local replica (at most {@code limit}; 0 means
   * the maximum page of 1,000), or {@link ChangeBatch.Compacted} when they are gone.
   */
  public ChangeBatch changesSince(long revision, int limit) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision: " + revision + " (expected: >= 0)");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
    }
    try (var view = stateMachine.liveStore().openView()) {
      ChangesResult r = view.changes(revision, limit);
      long rev = view.state().revision();
      return r.getCompacted()
          ? new ChangeBatch.Compacted(view.state().compactRevision(), rev)
          : new ChangeBatch.Changes(r.getRecordsList(), r.getMore(), rev);
    }
  }

  /**
   * Watches the local replica: {@code listener} gets every change after {@code fromRevision}, in
   * revision order with no gap, as this member applies them; or {@code onCompacted} when the change
   * log no longer reaches back to {@code fromRevision}.
   */
  public Watch watch(long fromRevision, WatchListener listener) {
    return watches.watch(fromRevision, listener);
  }

  /**
   * A consistent view of every key at one revision of the local replica, for a logical backup. For
   * a backup that includes every acknowledged write, first do a linearizable read on this member
   * (it then has applied everything committed before). Close it when done.
   */
  public Backup openBackup() {
    return new Backup(stateMachine.liveStore().openView());
  }

  /** Asks Ratis for a snapshot now; the future holds its log index. */
  public CompletableFuture<Long> takeSnapshot() {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            var reply =
                client
                    .raft()
                    .getSnapshotManagementApi(server.getId())
                    .create(config.requestTimeout().toMillis());
            if (!reply.isSuccess()) {
              throw new StoreException("snapshot on " + id() + " failed: " + reply.getException());
            }
            return reply.getLogIndex();
          } catch (IOException e) {
            throw Failures.translate(e, "snapshot on " + id());
          }
        });
  }

  /** The state machine (for tests in this package and the shared fixture). */
  StoreStateMachine stateMachine() {
    return stateMachine;
  }

  /** Stops serving: closes the client, watches and the Raft server (RocksDB last). Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("member={} stopping", config.memberId());
    events.close();
    watches.close();
    try {
      client.close();
    } catch (RuntimeException e) {
      LOG.warn("member={} closing client: {}", config.memberId(), e.toString());
    }
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("member={} closing Raft server: {}", config.memberId(), e.toString());
    }
    stateMachine.close();
  }

  /** Late-bound references for callbacks created before the member exists. */
  private static final class Holder {
    @Nullable StoreStateMachine sm;
    @Nullable StoreMember member;

    StoreStateMachine sm() {
      StoreStateMachine s = sm;
      if (s == null) {
        throw new StoreClosedException("member not started yet");
      }
      return s;
    }

    StoreMember member() {
      StoreMember m = member;
      if (m == null) {
        throw new StoreClosedException("member not started yet");
      }
      return m;
    }
  }
}
