package io.raftmesh.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.NackRecord;
import io.raftmesh.proto.v1.NodeSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeReportsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final Duration LIVENESS = Duration.ofSeconds(5);

  static NodeSpec spec(long acked, long seenOffsetMillis) {
    return NodeSpec.newBuilder()
        .setAckedRevision(acked)
        .setLastSeen(Timestamps.fromMillis(T0.toEpochMilli() + seenOffsetMillis))
        .build();
  }

  static NodeReports.Report report(long acked, Instant seen) {
    NodeReports.Report r = new NodeReports.Report();
    r.acked = acked;
    r.seen = seen;
    return r;
  }

  @Test
  void anAckRaisesTheAcknowledgedRevisionAndClearsAnOlderNack() {
    NodeSpec spec =
        spec(10, 0).toBuilder()
            .setLastNack(NackRecord.newBuilder().setRevision(12).setReason("x"))
            .build();

    NodeSpec updated = NodeReports.apply(spec, report(15, T0.plusSeconds(1)), LIVENESS);

    assertThat(updated.getAckedRevision()).isEqualTo(15);
    assertThat(updated.hasLastNack()).isFalse();
    assertThat(updated.getLastSeen())
        .as("written with the ack")
        .isEqualTo(Timestamps.fromMillis(T0.plusSeconds(1).toEpochMilli()));
  }

  @Test
  void anAckedRevisionNeverGoesBackwards() {
    NodeSpec updated = NodeReports.apply(spec(20, 0), report(15, T0), LIVENESS);
    assertThat(updated.getAckedRevision()).isEqualTo(20);
  }

  @Test
  void aNackAfterTheLastAckIsRecorded() {
    NodeReports.Report r = report(0, T0);
    r.nack = NackRecord.newBuilder().setRevision(25).setReason("port in use").build();

    NodeSpec updated = NodeReports.apply(spec(20, 0), r, LIVENESS);

    assertThat(updated.getLastNack().getReason()).isEqualTo("port in use");
    assertThat(updated.getAckedRevision()).isEqualTo(20);
  }

  @Test
  void heartbeatsAloneAreWrittenOnlyWhenTheRecordedLivenessIsOld() {
    NodeSpec spec = spec(5, 0);
    assertThat(NodeReports.apply(spec, report(0, T0.plusSeconds(2)), LIVENESS))
        .as("2s after the recorded last_seen: nothing to write")
        .isEqualTo(spec);
    assertThat(NodeReports.apply(spec, report(0, T0.plusSeconds(6)), LIVENESS).getLastSeen())
        .isEqualTo(Timestamps.fromMillis(T0.plusSeconds(6).toEpochMilli()));
  }
}
