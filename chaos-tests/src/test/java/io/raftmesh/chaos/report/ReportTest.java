package io.raftmesh.chaos.report;

import static io.raftmesh.chaos.history.Values.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftmesh.chaos.history.Event;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryBuilder;
import io.raftmesh.chaos.history.HistoryJson;
import io.raftmesh.chaos.history.Values;
import io.raftmesh.chaos.validate.CheckResult;
import io.raftmesh.chaos.validate.RegisterChecker;
import io.raftmesh.chaos.validate.Validity;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportTest {
  @TempDir Path dir;

  /** Client ops on "k" every 10 ms plus a partition, a kill and a restart of everything. */
  private static History sample() {
    HistoryBuilder b = new HistoryBuilder();
    long ms = 1_000_000;
    for (int i = 0; i < 40; i++) {
      long t = i * 10L * ms;
      b.invoke(t, i % 3 == 0 ? 100 + i : 0 + i % 3, "write", "k", text("v" + i));
      if (i % 3 == 0) {
        b.info(t + 5 * ms, 100 + i, "write");
      } else if (i % 7 == 0) {
        b.fail(t + 2 * ms, i % 3, "write");
      } else {
        b.ok(t + (1 + i % 4) * ms, i % 3, "write", null);
      }
    }
    nemesis(b, 50 * ms, "start-partition", Values.object().put("shape", "bridge"));
    nemesis(b, 60 * ms, "start-kill", Values.object());
    nemesis(b, 150 * ms, "stop-partition", null);
    nemesis(b, 200 * ms, "start-partition", null);
    nemesis(b, 250 * ms, "stop-partition", null);
    nemesis(b, 300 * ms, "start-restart-all", null);
    nemesis(b, 380 * ms, "heal-all", null);
    return b.build();
  }

  private static void nemesis(HistoryBuilder b, long t, String f, @Nullable JsonNode value) {
    b.invoke(t, Event.NEMESIS, f, null, value).info(t + 1_000_000, Event.NEMESIS, f);
  }

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static int count(Document d, String tag, String cls) {
    NodeList all = d.getElementsByTagName(tag);
    int n = 0;
    for (int i = 0; i < all.getLength(); i++) {
      if (((Element) all.item(i)).getAttribute("class").equals(cls)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void pairsNemesisStartsAndStopsIntoFaultWindows() {
    List<FaultWindow> w = FaultWindow.of(sample());

    long ms = 1_000_000;
    assertThat(w)
        .containsExactly(
            new FaultWindow("partition", 50 * ms, 151 * ms),
            new FaultWindow("kill", 60 * ms, 381 * ms),
            new FaultWindow("partition", 200 * ms, 251 * ms),
            new FaultWindow("restart-all", 300 * ms, 301 * ms));
  }

  @Test
  void summarisesVerdictOpsAndFaultsInOneLine() {
    History h = sample();
    CheckResult ok = new CheckResult("register", Validity.VALID, Map.of(), List.of(), List.of());
    CheckResult bad = new CheckResult("set", Validity.INVALID, Map.of(), List.of(), List.of());

    assertThat(Summary.line("register", List.of(ok), h))
        .isEqualTo("register: valid (40 ops, 2 partitions, 1 kill, 1 full restart)");
    assertThat(Summary.line("all", List.of(ok, bad), h)).startsWith("all: invalid (40 ops");
    assertThat(CheckResult.grouped(1842)).isEqualTo("1,842");
  }

  @Test
  void drawsOnePointPerCompletedOpAndOneShadePerFault() throws Exception {
    History h = sample();
    List<FaultWindow> faults = FaultWindow.of(h);

    Document latency = parse(Plots.latency(h, faults, "register <latency> & more"));

    long ok = h.clientOperations().stream().filter(o -> o.isOk()).count();
    long fail = h.clientOperations().stream().filter(o -> o.isFail()).count();
    long info = h.clientOperations().stream().filter(o -> o.isUnknown()).count();
    assertThat(count(latency, "circle", "op-ok")).isEqualTo(ok);
    assertThat(count(latency, "circle", "op-fail")).isEqualTo(fail).isPositive();
    assertThat(count(latency, "circle", "op-info")).isEqualTo(info).isPositive();
    assertThat(count(latency, "rect", "fault")).isEqualTo(faults.size());

    Document rate = parse(Plots.throughput(h, faults, Duration.ofMillis(50), "throughput"));
    assertThat(count(rate, "polyline", "rate-ok")).isEqualTo(1);
    assertThat(count(rate, "polyline", "rate-info")).isEqualTo(1);
    assertThat(count(rate, "rect", "fault")).isEqualTo(faults.size());
  }

  @Test
  void writesARunFolderWithEverythingAReaderNeeds() throws Exception {
    History h = sample();
    Clock clock = Clock.fixed(Instant.parse("2026-11-27T10:15:30Z"), ZoneOffset.UTC);
    RunFolder run = RunFolder.create(dir, "register", 42, clock);
    List<CheckResult> results =
        List.of(RegisterChecker.withTimeLimit(Duration.ofSeconds(10)).check(h));

    run.writeRunInfo(Map.of("seed", 42, "nodes", 3));
    String line = run.writeResults(h, results);

    assertThat(run.path()).isEqualTo(dir.resolve("register/20261127T101530Z-seed42"));
    assertThat(dir.resolve("register/latest").toRealPath()).isEqualTo(run.path().toRealPath());
    assertThat(HistoryJson.read(run.historyFile()).events()).isEqualTo(h.events());
    assertThat(Files.readString(run.path().resolve("summary.txt"))).isEqualTo(line + "\n");
    assertThat(line).startsWith("register: " + results.get(0).validity().label() + " (40 ops");
    JsonNode verdicts = new ObjectMapper().readTree(run.path().resolve("results.json").toFile());
    assertThat(verdicts.get(0).get("checker").asText()).isEqualTo("register");
    assertThat(
            new ObjectMapper()
                .readTree(run.path().resolve("run.json").toFile())
                .get("seed")
                .asInt())
        .isEqualTo(42);
    List<String> nemesis = Files.readAllLines(run.path().resolve("nemesis.log"));
    assertThat(nemesis).hasSize(7);
    assertThat(nemesis.get(0)).contains("0.050s").contains("start-partition").contains("bridge");
    assertThat(run.path().resolve("latency.svg")).exists();
    assertThat(run.path().resolve("throughput.svg")).exists();

    RunFolder again = RunFolder.create(dir, "register", 42, clock);
    assertThat(again.path()).isNotEqualTo(run.path());
    assertThatThrownBy(() -> RunFolder.create(dir, "../etc", 1, clock))
        .hasMessageContaining("workload: ../etc");
  }
}
