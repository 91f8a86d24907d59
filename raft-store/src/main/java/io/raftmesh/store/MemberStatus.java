package io.raftmesh.store;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one member's view of the cluster.
 *
 * @param memberId this member
 * @param role this member's role
 * @param leaderId the leader this member knows of, if any
 * @param leaderReady this member leads and has applied the first entry of its term (gate
 *     leader-only work on it)
 * @param term the current Raft term
 * @param commitIndex the highest log index known committed
 * @param appliedIndex the highest log index applied by Ratis on this member
 * @param revision the store revision of the local replica
 * @param compactRevision the local change-log floor
 * @param snapshotIndex the index of the newest local snapshot (0: none)
 * @param members the Raft configuration; match index and last contact are known on the leader
 */
public record MemberStatus(
    String memberId,
    MemberRole role,
    Optional<String> leaderId,
    boolean leaderReady,
    long term,
    long commitIndex,
    long appliedIndex,
    long revision,
    long compactRevision,
    long snapshotIndex,
    List<PeerStatus> members) {}
