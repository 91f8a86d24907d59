package io.raftmesh.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryJsonTest {
  @TempDir Path dir;

  private static History sample() {
    return new HistoryBuilder()
        .invoke(0, 0, "write", "k1", Values.text("a"))
        .invoke(1, 1, "read", "k1", null)
        .ok(2, 1, "read", Values.text(null), 3)
        .info(4, 0, "write")
        .invoke(5, 2, "cas", "k1", Values.pair(null, "b"))
        .fail(6, 2, "cas")
        .build();
  }

  @Test
  void roundTripsEveryFieldIncludingJsonNullValues() throws IOException {
    History h = sample();
    Path file = dir.resolve("history.jsonl");

    HistoryJson.write(file, h);
    History back = HistoryJson.read(file);

    assertThat(back.events()).isEqualTo(h.events());
    Event read = back.events().get(2);
    assertThat(read.value()).isEqualTo(NullNode.getInstance());
    assertThat(back.events().get(1).value()).isNull();
  }

  @Test
  void writesOneCompactObjectPerLine() {
    String line = HistoryJson.toLine(sample().events().get(2));

    assertThat(line)
        .isEqualTo(
            "{\"index\":2,\"time\":2,\"type\":\"ok\",\"process\":1,\"f\":\"read\","
                + "\"value\":null,\"revision\":3}");
  }

  @Test
  void ignoresATornLastLineButNotAMalformedMiddleLine() throws IOException {
    Path file = dir.resolve("torn.jsonl");
    HistoryJson.write(file, sample());
    Files.writeString(file, "{\"index\":6,\"ti", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    assertThat(HistoryJson.read(file).events()).hasSize(6);

    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(
        bad, "{\"index\":0,\"bogus\":1}\n" + HistoryJson.toLine(sample().events().get(0)));
    assertThatThrownBy(() -> HistoryJson.read(bad))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad.jsonl:1");
  }

  @Test
  void appendingSinkLeavesAReadableFileAfterEachEvent() throws IOException {
    Path file = dir.resolve("live.jsonl");
    HistoryRecorder r = HistoryRecorder.writingTo(HistoryJson.appendingTo(file));
    r.newWorker().invoke("add", null, Values.text("e1")).complete(Completion.ok());

    History onDisk = HistoryJson.read(file); // before close: each event was flushed
    r.close();

    assertThat(onDisk.events()).isEqualTo(r.history().events());
  }
}
