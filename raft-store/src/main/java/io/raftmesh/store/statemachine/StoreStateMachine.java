package io.raftmesh.store.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmesh.proto.v1.ChangesResult;
import io.raftmesh.proto.v1.Retention;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.StoreQuery;
import io.raftmesh.store.InvalidRequestException;
import io.raftmesh.store.rocks.CommandApplier;
import io.raftmesh.store.rocks.ProtoTime;
import io.raftmesh.store.rocks.ReadView;
import io.raftmesh.store.rocks.RocksStore;
import io.raftmesh.store.rocks.StoreState;
import io.raftmesh.store.snapshot.CheckpointStorage;
import io.raftmesh.store.snapshot.LiveDbInstaller;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the store: applies {@link StoreCommand}s to RocksDB and answers {@link
 * StoreQuery}s.
 *
 * <p>Rules it keeps (see notes/ratis.md, "Pitfalls"):
 *
 * <ul>
 *   <li>Data and the applied term/index are committed in one WriteBatch; an entry at or below the
 *       persisted applied index is skipped on replay, never applied twice, and nothing else is
 *       skipped (pattern A: Ratis's own applied index starts at the snapshot, the DB's is kept
 *       apart and used only for the skip).
 *   <li>The live DB is outside Ratis's {@code sm/} folder; snapshots are checkpoints inside it.
 *   <li>Business refusals are replies, never exceptions; a storage failure is thrown on purpose so
 *       that Ratis stops this member rather than skip an entry (fail-stop beats a gap).
 *   <li>Event callbacks only hand over to {@link StateMachineEvents}, which never blocks.
 * </ul>
 */
public final class StoreStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(StoreStateMachine.class);

  /** The leader-side limits and the retention stamped into each proposed entry. */
  public record Settings(
      int maxValueBytes, int maxRequestBytes, Retention retention, int snapshotsRetained) {}

  private final Path liveDir;
  private final Settings settings;
  private final StateMachineEvents events;
  private final Clock clock;
  private final CheckpointStorage storage;
  private final AtomicLong appliedCount = new AtomicLong();
  private final AtomicLong skippedCount = new AtomicLong();
  private volatile @Nullable RocksStore store;
  private volatile @Nullable CommandApplier applier;
  private volatile String name = "store";

  /** A state machine whose live RocksDB is {@code liveDir}. */
  public StoreStateMachine(
      Path liveDir, Settings settings, StateMachineEvents events, Clock clock) {
    this.liveDir = liveDir;
    this.settings = settings;
    this.events = events;
    this.clock = clock;
    this.storage = new CheckpointStorage(settings.snapshotsRetained());
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    this.name = server.getId() + "@" + groupId;
    getLifeCycle()
        .startAndTransition(
            () -> {
              storage.init(raftStorage);
              openLiveStore(false);
            });
  }

  /** Opens the live DB, first replacing it with the newest snapshot when it is behind it. */
  private void openLiveStore(boolean fromInstall) throws IOException {
    LiveDbInstaller.recover(liveDir);
    Optional<Path> snapshot = storage.latestDir();
    RocksStore opened = RocksStore.open(liveDir);
    if (snapshot.isPresent()) {
      StoreState inSnapshot = CheckpointStorage.readState(snapshot.get());
      if (fromInstall || opened.state().appliedIndex() < inSnapshot.appliedIndex()) {
        LOG.info(
            "member={} live DB applied index {} is behind snapshot {} (applied index {}):"
                + " installing the snapshot",
            name,
            opened.state().appliedIndex(),
            snapshot.get().getFileName(),
            inSnapshot.appliedIndex());
        opened.close();
        LiveDbInstaller.install(snapshot.get(), liveDir);
        opened = RocksStore.open(liveDir);
      }
    }
    SnapshotInfo latest = storage.getLatestSnapshot();
    setLastAppliedTermIndex(latest == null ? TermIndex.INITIAL_VALUE : latest.getTermIndex());
    this.store = opened;
    this.applier = new CommandApplier(opened);
    StoreState state = opened.state();
    LOG.info(
        "member={} store open: applied index={} term={} revision={} compact revision={}"
            + " snapshot={}",
        name,
        state.appliedIndex(),
        state.appliedTerm(),
        state.revision(),
        state.compactRevision(),
        latest == null ? "none" : latest.getTermIndex());
  }

  @Override
  public CheckpointStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext.Builder builder =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
    StoreCommand command;
    try {
      command = StoreCommand.parseFrom(request.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return refuse(builder, "command: not a StoreCommand (" + e.getMessage() + ")");
    }
    String problem = CommandValidator.structural(command);
    if (problem == null) {
      problem =
          CommandValidator.limits(command, settings.maxValueBytes(), settings.maxRequestBytes());
    }
    if (problem != null) {
      return refuse(builder, problem);
    }
    // The leader decides time and retention, so apply stays a pure function of the log.
    StoreCommand stamped =
        command.toBuilder()
            .setProposedAt(ProtoTime.timestamp(clock.millis()))
            .setRetention(settings.retention())
            .build();
    return builder.setLogData(UnsafeByteOperations.unsafeWrap(stamped.toByteArray())).build();
  }

  private static TransactionContext refuse(TransactionContext.Builder builder, String problem) {
    TransactionContext trx = builder.build();
    trx.setException(new InvalidRequestException(problem));
    return trx;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    TermIndex termIndex = TermIndex.valueOf(entry);
    RocksStore current = liveStore();
    if (termIndex.getIndex() <= current.state().appliedIndex()) {
      // Replay after a restart: the live DB is ahead of the snapshot Ratis replays from.
      skippedCount.incrementAndGet();
      updateLastAppliedTermIndex(termIndex);
      events.skipped(termIndex.getIndex());
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    long start = System.nanoTime();
    CommandApplier.Outcome outcome;
    try {
      outcome = applyEntry(entry, termIndex);
    } catch (RuntimeException e) {
      // Storage failure: stop here. Completing the future would let Ratis advance past an entry
      // that is not in the DB, a gap that no replay would ever fill.
      LOG.error(
          "member={} cannot apply index={} term={}: {}; stopping this member",
          name,
          termIndex.getIndex(),
          termIndex.getTerm(),
          e.toString());
      throw e;
    }
    appliedCount.incrementAndGet();
    updateLastAppliedTermIndex(termIndex);
    events.applied(outcome, System.nanoTime() - start);
    if (outcome instanceof CommandApplier.Applied applied) {
      return CompletableFuture.completedFuture(Replies.result(applied.result()));
    }
    return CompletableFuture.completedFuture(
        Replies.refused(((CommandApplier.Refused) outcome).reason()));
  }

  private CommandApplier.Outcome applyEntry(LogEntryProto entry, TermIndex termIndex) {
    CommandApplier current = applier;
    if (current == null) {
      throw new IllegalStateException("apply before initialize");
    }
    StoreCommand command;
    try {
      command =
          StoreCommand.parseFrom(
              entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return current.refuse(
          "command: malformed at index " + termIndex.getIndex() + " (expected: a StoreCommand)",
          termIndex.getTerm(),
          termIndex.getIndex());
    }
    String problem = CommandValidator.structural(command);
    if (problem != null) {
      return current.refuse(problem, termIndex.getTerm(), termIndex.getIndex());
    }
    return current.apply(command, termIndex.getTerm(), termIndex.getIndex());
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      StoreQuery query = StoreQuery.parseFrom(request.getContent().asReadOnlyByteBuffer());
      return CompletableFuture.completedFuture(
          Message.valueOf(
              UnsafeByteOperations.unsafeWrap(Queries.answer(liveStore(), query).toByteArray())));
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(
          new InvalidRequestException("query: not a StoreQuery (" + e.getMessage() + ")"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    return query(request);
  }

  @Override
  public long takeSnapshot() throws IOException {
    RocksStore current = liveStore();
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    if (current.state().appliedIndex() > last.getIndex()) {
      // Still replaying entries the DB already holds: a checkpoint now would be labelled below
      // its content. Wait until replay catches up.
      LOG.debug("member={} snapshot postponed: replaying up to {}", name, current.state());
      return RaftLog.INVALID_LOG_INDEX;
    }
    long start = System.nanoTime();
    storage.take(current, last);
    events.snapshotTaken(last.getIndex(), System.nanoTime() - start);
    LOG.info(
        "member={} took snapshot index={} term={} revision={}",
        name,
        last.getIndex(),
        last.getTerm(),
        current.state().revision());
    return last.getIndex();
  }

  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    RocksStore current = store;
    if (current != null) {
      current.close();
    }
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  @Override
  public void reinitialize() throws IOException {
    LOG.info("member={} reinitializing from the installed snapshot", name);
    storage.reload();
    RocksStore current = store;
    if (current != null) {
      current.close();
    }
    openLiveStore(true);
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
    events.reloaded(liveStore().state());
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId memberId, RaftPeerId leaderId) {
    long term = getServer().thenApply(s -> termOf(s, memberId)).getNow(0L);
    events.leaderChanged(leaderId.toString(), term);
  }

  private static long termOf(RaftServer server, RaftGroupMemberId memberId) {
    try {
      return server.getDivision(memberId.getGroupId()).getInfo().getCurrentTerm();
    } catch (IOException e) {
      return 0L;
    }
  }

  @Override
  public void notifyLeaderReady() {
    RaftGroupId group = getGroupId();
    long term =
        group == null
            ? 0L
            : getServer()
                .thenApply(s -> termOf(s, RaftGroupMemberId.valueOf(s.getId(), group)))
                .getNow(0L);
    events.leaderReady(term);
  }

  @Override
  public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
    events.notLeader();
  }

  @Override
  public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto conf) {
    events.configurationChanged();
  }

  @Override
  public void notifyGroupRemove() {
    events.shutdown("removed from the group");
  }

  @Override
  public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
    events.shutdown("server shutdown");
  }

  @Override
  public void close() {
    getLifeCycle()
        .checkStateAndClose(
            () -> {
              RocksStore current = store;
              if (current != null) {
                current.close();
              }
            });
  }

  /** The live store (replaced after a snapshot install). */
  public RocksStore liveStore() {
    RocksStore current = store;
    if (current == null) {
      throw new io.raftmesh.store.StoreClosedException("member " + name + ": store not open yet");
    }
    return current;
  }

  /** Changes after {@code afterRevision} from the local replica. */
  public ChangesResult changes(long afterRevision, int limit) {
    try (ReadView view = liveStore().openView()) {
      return view.changes(afterRevision, limit);
    }
  }

  /** Entries this process applied to RocksDB (not counting replays it skipped). */
  public long appliedCount() {
    return appliedCount.get();
  }

  /** Replayed entries this process skipped because RocksDB already held them. */
  public long skippedCount() {
    return skippedCount.get();
  }
}
