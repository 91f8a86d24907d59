package io.raftmesh.store;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One member of the Raft configuration, as the reporting member sees it.
 *
 * @param id the member id
 * @param address its Raft address
 * @param matchIndex on the leader: the highest log index known to be replicated on it
 * @param lastContact on the leader: time since its last successful reply
 */
public record PeerStatus(
    String id, String address, OptionalLong matchIndex, Optional<Duration> lastContact) {}
