package io.raftmesh.server.rpc;

import java.util.Optional;

/** Who leads now, as this server knows it, for the trailers of UNAVAILABLE answers. */
public interface LeaderHint {
  /** The leader's member id, if known. */
  Optional<String> leaderId();

  /** The leader's gRPC address ({@code host:port}), if known. */
  Optional<String> leaderAddress();

  /** A hint that knows nothing. */
  static LeaderHint none() {
    return new LeaderHint() {
      @Override
      public Optional<String> leaderId() {
        return Optional.empty();
      }

      @Override
      public Optional<String> leaderAddress() {
        return Optional.empty();
      }
    };
  }
}
