package io.raftmesh.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.proto.v1.HealthStatus;
import org.junit.jupiter.api.Test;

class HealthStateTest {
  @Test
  void changesOnlyAfterConsecutiveResultsReachTheThreshold() {
    HealthState s = new HealthState(2, 3);
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTH_UNKNOWN);
    assertThat(s.record(true)).isNull();
    assertThat(s.record(true)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.record(true)).isNull();
    assertThat(s.record(false)).isNull();
    assertThat(s.record(false)).isNull();
    assertThat(s.record(true)).isNull(); // resets the failure run
    assertThat(s.record(false)).isNull();
    assertThat(s.record(false)).isNull();
    assertThat(s.record(false)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(s.record(true)).isNull();
    assertThat(s.record(true)).isEqualTo(HealthStatus.HEALTHY);
  }
}
