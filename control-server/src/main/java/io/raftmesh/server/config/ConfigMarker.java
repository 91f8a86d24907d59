package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;

/**
 * Every write that changes what agents see (any resource but nodes) also rewrites {@link
 * ServerKeys#CONFIG_MARKER} in the same transaction, so the marker's mod revision is the newest
 * revision agents must reach to be current. Status reports a node as behind only when its
 * acknowledged revision is below it: writes agents never see (acknowledgements, liveness,
 * certificates) do not make every node look behind.
 */
public final class ConfigMarker {
  private ConfigMarker() {}

  /** Adds the marker write to {@code txn}. */
  public static Transaction touch(Transaction txn) {
    return txn.put(ServerKeys.CONFIG_MARKER, ByteString.EMPTY);
  }

  /** The newest agent-visible revision, as the local replica knows it (0: none yet). */
  public static long revision(StoreClient store, ReadConsistency consistency, Duration timeout) {
    QueryResult r = PrefixScan.get(store, ServerKeys.CONFIG_MARKER, consistency, timeout);
    return r.hasKv() ? r.getKv().getModRevision() : 0;
  }
}
