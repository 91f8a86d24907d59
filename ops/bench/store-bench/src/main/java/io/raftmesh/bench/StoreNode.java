package io.raftmesh.bench;

import io.raftmesh.store.MemberStatus;
import io.raftmesh.store.StoreConfig;
import io.raftmesh.store.StoreMember;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One store member as its own process, for the benchmark: {@code StoreNode <id> <peers> <data-dir>
 * <status-file> <election-min-ms> <election-max-ms>}, peers as {@code n1=host:port,n2=...}. Writes
 * "pid role leader" to the status file every 50ms so the load generator can find (and kill) the
 * leader. Production settings otherwise (fsync on).
 */
public final class StoreNode {
  private StoreNode() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      throw new IllegalArgumentException(
          "usage: StoreNode <id> <peers> <data-dir> <status-file> <election-min-ms> <election-max-ms>");
    }
    Map<String, String> peers = new LinkedHashMap<>();
    for (String p : args[1].split(",")) {
      String[] kv = p.split("=", 2);
      peers.put(kv[0], kv[1]);
    }
    StoreConfig config =
        StoreConfig.builder(args[0], peers, Path.of(args[2]))
            .electionTimeout(
                Duration.ofMillis(Long.parseLong(args[4])),
                Duration.ofMillis(Long.parseLong(args[5])))
            .build();
    Path status = Path.of(args[3]);
    CountDownLatch stop = new CountDownLatch(1);
    try (StoreMember member = StoreMember.start(config)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      long pid = ProcessHandle.current().pid();
      while (stop.getCount() > 0) {
        MemberStatus s = member.status();
        String line = pid + " " + s.role() + " " + s.leaderId().orElse("-") + "\n";
        Path tmp = status.resolveSibling(status.getFileName() + ".tmp");
        Files.writeString(tmp, line, StandardCharsets.UTF_8);
        Files.move(
            tmp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        stop.await(50, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
  }
}
