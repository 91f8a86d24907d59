package io.raftmesh.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.jspecify.annotations.Nullable;

/** Translates a {@link StoreConfig} into Ratis properties, parameters and policies. */
final class RaftSetup {
  private RaftSetup() {}

  /** The Raft group id of a cluster: a name-based UUID, so every member derives the same one. */
  static RaftGroupId groupId(String clusterId) {
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(("raftmesh-store/" + clusterId).getBytes(StandardCharsets.UTF_8)));
  }

  static List<RaftPeer> peers(Map<String, String> peers) {
    List<RaftPeer> out = new ArrayList<>();
    peers.forEach(
        (id, address) ->
            out.add(
                RaftPeer.newBuilder().setId(RaftPeerId.valueOf(id)).setAddress(address).build()));
    return out;
  }

  static RaftProperties serverProperties(StoreConfig c, Path raftDir) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
    GrpcConfigKeys.Server.setHost(
        p, c.bindHost() != null ? c.bindHost() : StoreConfig.hostOf(c.address()));
    GrpcConfigKeys.Server.setPort(p, c.port());
    int maxMessage = Math.max(64 * 1024 * 1024, 2 * c.maxRequestBytes());
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(maxMessage));

    RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(c.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(c.electionTimeoutMax()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(c.rpcTimeout()));

    // Pitfall 4: the default read option is not linearizable.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setTimeout(p, millis(c.requestTimeout()));

    // Pitfall 3 and 10: snapshots are on, bounded in number, and the log is purged.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, c.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setCreationGap(
        p, Math.max(1, Math.min(1024, c.snapshotThreshold() / 10)));
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, c.snapshotsRetained());
    // A restart replays from the last snapshot and skips what RocksDB holds: no need to stall
    // shutdown with a checkpoint.
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(c.logSegmentBytes()));
    RaftServerConfigKeys.Log.setPreallocatedSize(
        p, SizeInBytes.valueOf(Math.min(4L * 1024 * 1024, c.logSegmentBytes())));
    // The appender batches up to this many bytes per AppendEntries; one entry must fit, and the
    // log's write buffer must hold a full batch (Ratis checks write buffer >= limit + 8).
    long appenderLimit = Math.max(4L * 1024 * 1024, 2L * c.maxRequestBytes());
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(appenderLimit));
    RaftServerConfigKeys.Log.setWriteBufferSize(
        p, SizeInBytes.valueOf(Math.max(8L * 1024 * 1024, appenderLimit + 1024 * 1024)));
    // Ratis would otherwise append a metadata entry (the commit index) after commits, doubling
    // the entries written and replicated; a restarted member learns the commit index from the
    // leader instead.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftServerConfigKeys.Log.setPurgeGap(p, c.purgeGap());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, c.purgeUpToSnapshot());
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    return p;
  }

  static RaftProperties clientProperties(Duration rpcTimeout) {
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, millis(rpcTimeout));
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 512);
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(64 * 1024 * 1024));
    return p;
  }

  static Parameters parameters(@Nullable RaftTls tls) {
    Parameters parameters = new Parameters();
    if (tls != null) {
      GrpcConfigKeys.TLS.setConf(
          parameters, new GrpcTlsConfig(tls.keyManager(), tls.trustManager(), true));
    }
    return parameters;
  }

  /**
   * Pitfall 5: the default client policy retries forever without sleeping. This one backs off
   * exponentially (20ms doubling to 500ms) and gives up after enough attempts to cover {@code
   * budget}; {@link StoreClient} also enforces the budget as a deadline.
   */
  static RetryPolicy retryPolicy(Duration budget) {
    int attempts = (int) Math.max(5, budget.toMillis() / 250 + 5);
    return ExponentialBackoffRetry.newBuilder()
        .setBaseSleepTime(TimeDuration.valueOf(20, TimeUnit.MILLISECONDS))
        .setMaxSleepTime(TimeDuration.valueOf(500, TimeUnit.MILLISECONDS))
        .setMaxAttempts(attempts)
        .build();
  }

  static TimeDuration millis(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
