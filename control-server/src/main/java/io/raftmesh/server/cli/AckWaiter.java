package io.raftmesh.server.cli;

import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.NodeStatus;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits until every live node has acknowledged a revision, polling cluster status. A node is live
 * when it reported to any server within {@link #LIVE_WINDOW}; nodes that stopped reporting are not
 * waited for (status shows them).
 */
final class AckWaiter {

  static final Duration LIVE_WINDOW = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(250);

  private final ClusterClient client;
  private final PrintWriter out;
  private final PrintWriter err;

  AckWaiter(ClusterClient client, PrintWriter out, PrintWriter err) {
    this.client = client;
    this.out = out;
    this.err = err;
  }

  /** True when every live node acknowledged {@code revision} within {@code timeout}. */
  boolean await(long revision, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    List<String> behind = List.of();
    int live = 0;
    while (true) {
      StatusResponse s =
          client.call(
              (ch, ms) -> ApplyCommand.cluster(ch, ms).status(StatusRequest.getDefaultInstance()));
      Instant now = Instant.now();
      List<String> stragglers = new ArrayList<>();
      live = 0;
      for (NodeStatus n : s.getNodesList()) {
        Instant seen = Instant.ofEpochMilli(Timestamps.toMillis(n.getSpec().getLastSeen()));
        if (!n.getStreamingHere() && seen.isBefore(now.minus(LIVE_WINDOW))) {
          continue;
        }
        live++;
        if (n.getSpec().getAckedRevision() < revision) {
          String nack =
              n.getSpec().hasLastNack() && n.getSpec().getLastNack().getRevision() >= revision
                  ? " (NACK: " + n.getSpec().getLastNack().getReason() + ")"
                  : " (acked " + n.getSpec().getAckedRevision() + ")";
          stragglers.add(n.getName() + nack);
        }
      }
      behind = stragglers;
      if (behind.isEmpty()) {
        out.printf("all %d live node(s) acknowledged revision %d%n", live, revision);
        out.flush();
        return true;
      }
      if (!Instant.now().plus(POLL).isBefore(deadline)) {
        break;
      }
      Thread.sleep(POLL.toMillis());
    }
    err.printf(
        "error: %d of %d live node(s) did not acknowledge revision %d within %s: %s%n",
        behind.size(), live, revision, timeoutText(timeout), String.join(", ", behind));
    err.flush();
    return false;
  }

  private static String timeoutText(Duration d) {
    return io.raftmesh.server.config.DurationText.format(d);
  }
}
