package io.raftmesh.bench;

import com.google.protobuf.ByteString;
import io.raftmesh.store.StoreClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The raftmesh store through its {@link StoreClient} (writes via Raft, linearizable reads). */
final class RaftmeshTarget implements Target {
  private final StoreClient client;
  private final List<Path> statusFiles;

  RaftmeshTarget(Map<String, String> peers, List<Path> statusFiles) {
    this.client = StoreClient.connect(peers, "raftmesh", null, Duration.ofSeconds(30));
    this.statusFiles = statusFiles;
  }

  @Override
  public String name() {
    return "raftmesh";
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return client.put(
        StoreClient.newRequestId(), ByteString.copyFrom(key), ByteString.copyFrom(value));
  }

  /** A put that keeps its request id across retries (used by the failover probe). */
  CompletableFuture<?> put(String requestId, byte[] key, byte[] value) {
    return client.put(requestId, ByteString.copyFrom(key), ByteString.copyFrom(value));
  }

  @Override
  public CompletableFuture<?> get(byte[] key) {
    return client.get(ByteString.copyFrom(key));
  }

  @Override
  public Optional<Long> leaderPid() throws Exception {
    for (Path status : statusFiles) {
      if (!Files.exists(status)) {
        continue;
      }
      String[] parts = Files.readString(status, StandardCharsets.UTF_8).trim().split(" ");
      if (parts.length == 3 && parts[1].equals("LEADER")) {
        return Optional.of(Long.parseLong(parts[0]));
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    client.close();
  }
}
