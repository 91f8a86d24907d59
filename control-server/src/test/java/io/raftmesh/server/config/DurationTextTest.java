package io.raftmesh.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "30s, PT30S",
    "1h30m, PT1H30M",
    "2.5s, PT2.5S",
    "1d, PT24H",
    "250us, PT0.00025S",
    "0s, PT0S",
    "-5s, PT-5S"
  })
  void parsesDurationsWithUnits(String text, String iso) {
    assertThat(DurationText.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "5 s", "s", "1x", "1h 30m", "--1s", "1.s"})
  void rejectsTextWithoutAProperUnit(String text) {
    assertThatThrownBy(() -> DurationText.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: a duration with a unit");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1h30m", "250ms", "2.5s", "1d2h", "45us", "7ns", "10m5s"})
  void formatsWhatItParses(String text) {
    Duration d = DurationText.parse(text);

    assertThat(DurationText.format(d)).isEqualTo(text);
  }
}
