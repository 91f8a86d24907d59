package io.raftmesh.server.admin;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.proto.v1.AddMemberRequest;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.ListChangesRequest;
import io.raftmesh.proto.v1.ListChangesResponse;
import io.raftmesh.proto.v1.ListMembersRequest;
import io.raftmesh.proto.v1.Member;
import io.raftmesh.proto.v1.MembersResponse;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.NodeStatus;
import io.raftmesh.proto.v1.RemoveMemberRequest;
import io.raftmesh.proto.v1.SaveSnapshotRequest;
import io.raftmesh.proto.v1.SnapshotChunk;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import io.raftmesh.proto.v1.TransferLeadershipRequest;
import io.raftmesh.proto.v1.XdsStream;
import io.raftmesh.server.auth.Caller;
import io.raftmesh.server.ca.IssuerStore;
import io.raftmesh.server.config.ConfigMarker;
import io.raftmesh.server.config.Nodes;
import io.raftmesh.server.config.StoredResources;
import io.raftmesh.server.rpc.Unary;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.store.ChangeBatch;
import io.raftmesh.store.CompactedException;
import io.raftmesh.store.MemberRole;
import io.raftmesh.store.MemberStatus;
import io.raftmesh.store.PeerStatus;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreMember;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ClusterService: this server's view of the control plane and of every node (acknowledged revision,
 * last NACK, certificate expiry), membership changes and leadership transfer, and SaveSnapshot,
 * which streams a logical backup of the whole store at one revision that includes every write
 * acknowledged before the call (a linearizable read first brings this replica up to date).
 */
public final class ClusterGrpcService extends ClusterServiceGrpc.ClusterServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterGrpcService.class);

  private final StoreMember member;
  private final ServerDirectory directory;
  private final IssuerStore issuers;
  private final TrustDomain trustDomain;
  private final Predicate<String> streamingHere;
  private final Supplier<List<XdsStream>> xdsStreams;
  private final Clock clock;
  private final Executor executor;
  private final Unary unary;
  private final Duration timeout;

  /**
   * The service. {@code streamingHere} says whether a node has a delta stream here; {@code
   * xdsStreams} lists the xDS clients streaming from this server.
   */
  public ClusterGrpcService(
      StoreMember member,
      ServerDirectory directory,
      IssuerStore issuers,
      TrustDomain trustDomain,
      Predicate<String> streamingHere,
      Supplier<List<XdsStream>> xdsStreams,
      Clock clock,
      Executor executor,
      Unary unary,
      Duration timeout) {
    this.member = member;
    this.directory = directory;
    this.issuers = issuers;
    this.trustDomain = trustDomain;
    this.streamingHere = streamingHere;
    this.xdsStreams = xdsStreams;
    this.clock = clock;
    this.executor = executor;
    this.unary = unary;
    this.timeout = timeout;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
    unary.respond(observer, this::status);
  }

  private StatusResponse status() {
    ReadConsistency reads = PrefixScan.barrier(member.client(), timeout);
    PrefixScan.Page nodes =
        PrefixScan.scan(member.client(), Nodes.prefix(), reads, 1_000_000, timeout);
    long configRevision = ConfigMarker.revision(member.client(), ReadConsistency.stale(0), timeout);
    MemberStatus s = member.status();
    StatusResponse.Builder b =
        StatusResponse.newBuilder()
            .setServerId(s.memberId())
            .setLeaderId(s.leaderId().orElse(""))
            .setTerm(s.term())
            .setCommitIndex(s.commitIndex())
            .setAppliedIndex(s.appliedIndex())
            .setRevision(s.revision())
            .setCompactRevision(s.compactRevision())
            .setTrustDomain(trustDomain.name())
            .addAllMembers(members(s).getMembersList())
            .addAllXdsStreams(xdsStreams.get());
    for (KeyValue kv : nodes.kvs()) {
      StoredResources.decode(kv)
          .filter(r -> r.hasNode())
          .ifPresent(
              r -> {
                NodeSpec spec = r.getNode();
                b.addNodes(
                    NodeStatus.newBuilder()
                        .setName(r.getName())
                        .setSpec(spec)
                        .setRevisionsBehind(Math.max(0, configRevision - spec.getAckedRevision()))
                        .setStreamingHere(streamingHere.test(r.getName())));
              });
    }
    issuers
        .find()
        .ifPresent(
            i -> b.setIssuerNotAfter(Timestamps.fromMillis(i.ca().notAfter().toEpochMilli())));
    return b.build();
  }

  private MembersResponse members(MemberStatus s) {
    MembersResponse.Builder b = MembersResponse.newBuilder().setLeaderId(s.leaderId().orElse(""));
    for (PeerStatus p : s.members()) {
      String role;
      if (s.leaderId().isPresent() && s.leaderId().get().equals(p.id())) {
        role = "LEADER";
      } else if (p.id().equals(s.memberId())) {
        role = s.role() == MemberRole.STOPPED ? "UNKNOWN" : s.role().name();
      } else if (s.role() == MemberRole.LEADER && p.lastContact().isPresent()) {
        role = "FOLLOWER";
      } else {
        role = "UNKNOWN";
      }
      b.addMembers(
          Member.newBuilder()
              .setId(p.id())
              .setRaftAddress(p.address())
              .setApiAddress(directory.apiAddress(p.id()).orElse(""))
              .setRole(role)
              .setMatchIndex(p.matchIndex().orElse(0))
              .setLastContactMillis(p.lastContact().map(Duration::toMillis).orElse(-1L)));
    }
    return b.build();
  }

  @Override
  public void listMembers(ListMembersRequest request, StreamObserver<MembersResponse> observer) {
    unary.respond(observer, () -> members(member.status()));
  }

  @Override
  public void addMember(AddMemberRequest request, StreamObserver<MembersResponse> observer) {
    unary.respond(
        observer,
        () -> {
          checkId(request.getId());
          if (request.getRaftAddress().isEmpty()) {
            throw new IllegalArgumentException("raft_address: empty (expected: host:port)");
          }
          LOG.info(
              "AddMember id={} raft_address={} by={}",
              request.getId(),
              request.getRaftAddress(),
              Caller.current().describe());
          PrefixScan.await(
              member.membership().addMember(request.getId(), request.getRaftAddress()),
              timeout.multipliedBy(6));
          if (!request.getApiAddress().isEmpty()) {
            directory.record(request.getId(), request.getApiAddress());
          }
          return members(member.status());
        });
  }

  @Override
  public void removeMember(RemoveMemberRequest request, StreamObserver<MembersResponse> observer) {
    unary.respond(
        observer,
        () -> {
          checkId(request.getId());
          LOG.info("RemoveMember id={} by={}", request.getId(), Caller.current().describe());
          PrefixScan.await(
              member.membership().removeMember(request.getId()), timeout.multipliedBy(3));
          try {
            directory.record(request.getId(), null);
          } catch (RuntimeException e) {
            LOG.warn(
                "forgetting the API address of removed member {}: {}",
                request.getId(),
                e.toString());
          }
          return members(member.status());
        });
  }

  @Override
  public void transferLeadership(
      TransferLeadershipRequest request, StreamObserver<MembersResponse> observer) {
    unary.respond(
        observer,
        () -> {
          MemberStatus s = member.status();
          String target = request.getId();
          if (target.isEmpty()) {
            String leader = s.leaderId().orElse("");
            target =
                s.members().stream()
                    .map(PeerStatus::id)
                    .filter(id -> !id.equals(leader))
                    .findFirst()
                    .orElseThrow(
                        () ->
                            Status.FAILED_PRECONDITION
                                .withDescription("no other member to transfer leadership to")
                                .asRuntimeException());
          } else {
            checkId(target);
          }
          LOG.info("TransferLeadership to={} by={}", target, Caller.current().describe());
          PrefixScan.await(
              member.membership().transferLeadership(target, timeout), timeout.multipliedBy(2));
          return members(member.status());
        });
  }

  @Override
  public void listChanges(
      ListChangesRequest request, StreamObserver<ListChangesResponse> observer) {
    unary.respond(observer, () -> listChanges(request));
  }

  private ListChangesResponse listChanges(ListChangesRequest request) {
    if (request.getAfterRevision() < 0) {
      throw new IllegalArgumentException(
          "after_revision: " + request.getAfterRevision() + " (expected: >= 0)");
    }
    if (request.getLimit() < 0 || request.getLimit() > 1_000) {
      throw new IllegalArgumentException("limit: " + request.getLimit() + " (expected: 0..1000)");
    }
    // A linearizable read first: this replica has then applied every acknowledged write.
    ConfigMarker.revision(member.client(), ReadConsistency.LINEARIZABLE, timeout);
    ChangeBatch batch = member.changesSince(request.getAfterRevision(), request.getLimit());
    long floor = member.status().compactRevision();
    if (batch instanceof ChangeBatch.Compacted c) {
      throw new CompactedException(request.getAfterRevision(), c.compactRevision());
    }
    ChangeBatch.Changes changes = (ChangeBatch.Changes) batch;
    return ListChangesResponse.newBuilder()
        .addAllRecords(changes.records())
        .setMore(changes.more())
        .setRevision(changes.revision())
        .setCompactRevision(floor)
        .build();
  }

  private static void checkId(String id) {
    if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("id: \"" + id + "\" (expected: a member id)");
    }
  }

  @Override
  public void saveSnapshot(SaveSnapshotRequest request, StreamObserver<SnapshotChunk> observer) {
    ServerCallStreamObserver<SnapshotChunk> out =
        (ServerCallStreamObserver<SnapshotChunk>) observer;
    BackupStream.Writer writer;
    try {
      // A linearizable read: this replica has then applied every write acknowledged before.
      ConfigMarker.revision(member.client(), ReadConsistency.LINEARIZABLE, timeout);
      writer = new BackupStream.Writer(member.openBackup(), member.id(), clock.instant());
    } catch (RuntimeException e) {
      observer.onError(unary.errors().toStatus(e));
      return;
    }
    LOG.info("SaveSnapshot revision={} by={}", writer.revision(), Caller.current().describe());
    Pump pump = new Pump(out, writer);
    out.setOnCancelHandler(pump::cancel);
    out.setOnReadyHandler(() -> executor.execute(pump::run));
    executor.execute(pump::run);
  }

  /** Writes chunks while the transport is ready; closes the backup when done or cancelled. */
  private final class Pump {
    private final ServerCallStreamObserver<SnapshotChunk> out;
    private final BackupStream.Writer writer;
    private boolean done;

    Pump(ServerCallStreamObserver<SnapshotChunk> out, BackupStream.Writer writer) {
      this.out = out;
      this.writer = writer;
    }

    synchronized void run() {
      try {
        while (!done && out.isReady()) {
          @Nullable ByteString chunk = writer.next();
          if (chunk == null) {
            done = true;
            writer.close();
            out.onCompleted();
            LOG.info("SaveSnapshot done revision={} entries={}", writer.revision(), writer.count());
            return;
          }
          out.onNext(SnapshotChunk.newBuilder().setData(chunk).build());
        }
      } catch (RuntimeException e) {
        done = true;
        writer.close();
        out.onError(unary.errors().toStatus(e));
      }
    }

    synchronized void cancel() {
      if (!done) {
        done = true;
        writer.close();
      }
    }
  }
}
