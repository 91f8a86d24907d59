package io.raftmesh.store;

import io.raftmesh.store.rocks.StoreState;
import io.raftmesh.store.statemachine.StoreStateMachine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.SnapshotInfo;

/** Reads a {@link MemberStatus} out of the Ratis division without blocking it. */
final class MemberStatusReader {
  private MemberStatusReader() {}

  static MemberStatus read(
      String memberId,
      RaftServer server,
      RaftGroupId group,
      StoreStateMachine sm,
      StoreState state,
      boolean closed) {
    SnapshotInfo snapshot = sm.getLatestSnapshot();
    long snapshotIndex = snapshot == null ? 0 : snapshot.getIndex();
    RaftServer.Division division;
    try {
      division = closed ? null : server.getDivision(group);
    } catch (IOException e) {
      division = null;
    }
    if (division == null || !division.getInfo().isAlive()) {
      return new MemberStatus(
          memberId,
          MemberRole.STOPPED,
          Optional.empty(),
          false,
          0,
          0,
          state.appliedIndex(),
          state.revision(),
          state.compactRevision(),
          snapshotIndex,
          List.of());
    }
    DivisionInfo info = division.getInfo();
    RaftPeerId leader = info.getLeaderId();
    boolean isLeader = info.isLeader();
    Map<String, OptionalLong> match = new HashMap<>();
    Map<String, Duration> contact = new HashMap<>();
    if (isLeader) {
      RoleInfoProto role = info.getRoleInfoProto();
      long[] indices = info.getFollowerMatchIndices();
      List<ServerRpcProto> followers = role.getLeaderInfo().getFollowerInfoList();
      for (int i = 0; i < followers.size(); i++) {
        String id = followers.get(i).getId().getId().toStringUtf8();
        contact.put(id, Duration.ofMillis(followers.get(i).getLastRpcElapsedTimeMs()));
        if (indices.length == followers.size()) {
          match.put(id, OptionalLong.of(indices[i]));
        }
      }
      TermIndex last = division.getRaftLog().getLastEntryTermIndex();
      match.put(memberId, OptionalLong.of(last == null ? 0 : last.getIndex()));
      contact.put(memberId, Duration.ZERO);
    }
    List<PeerStatus> members = new ArrayList<>();
    for (RaftPeer peer : division.getRaftConf().getCurrentPeers()) {
      String id = peer.getId().toString();
      members.add(
          new PeerStatus(
              id,
              peer.getAddress(),
              match.getOrDefault(id, OptionalLong.empty()),
              Optional.ofNullable(contact.get(id))));
    }
    return new MemberStatus(
        memberId,
        role(info.getCurrentRole()),
        Optional.ofNullable(leader).map(RaftPeerId::toString),
        isLeader && info.isLeaderReady(),
        info.getCurrentTerm(),
        division.getRaftLog().getLastCommittedIndex(),
        info.getLastAppliedIndex(),
        state.revision(),
        state.compactRevision(),
        snapshotIndex,
        List.copyOf(members));
  }

  static MemberEvents.LeaderView leaderView(RaftServer server, RaftGroupId group, boolean closed) {
    if (closed) {
      return new MemberEvents.LeaderView(null, 0, false);
    }
    try {
      DivisionInfo info = server.getDivision(group).getInfo();
      RaftPeerId leader = info.getLeaderId();
      return new MemberEvents.LeaderView(
          leader == null ? null : leader.toString(), info.getCurrentTerm(), info.isAlive());
    } catch (IOException e) {
      return new MemberEvents.LeaderView(null, 0, false);
    }
  }

  static MemberRole role(RaftPeerRole role) {
    return switch (role) {
      case LEADER -> MemberRole.LEADER;
      case FOLLOWER -> MemberRole.FOLLOWER;
      case CANDIDATE -> MemberRole.CANDIDATE;
      case LISTENER -> MemberRole.LISTENER;
      default -> MemberRole.STOPPED;
    };
  }
}
