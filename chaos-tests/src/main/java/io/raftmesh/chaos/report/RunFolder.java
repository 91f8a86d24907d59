package io.raftmesh.chaos.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryJson;
import io.raftmesh.chaos.history.Operation;
import io.raftmesh.chaos.validate.CheckResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One run's folder, like Jepsen's {@code store/<test>/<time>/}: {@code history.jsonl}, {@code
 * nemesis.log}, {@code results.json} (verdicts with counter-examples), {@code summary.txt} (one
 * line per workload), {@code run.json} (seed and options, to replay), and the SVG plots. The
 * workload's {@code latest} link points at the newest run.
 */
public final class RunFolder {
  private static final Pattern WORKLOAD = Pattern.compile("[a-z0-9][a-z0-9-]{0,40}");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final Path dir;
  private final String workload;

  private RunFolder(Path dir, String workload) {
    this.dir = dir;
    this.workload = workload;
  }

  /**
   * Creates {@code <store>/<workload>/<UTC time>-seed<seed>/} and points {@code latest} at it.
   *
   * @throws IllegalArgumentException for a workload name that is not {@code [a-z0-9-]}
   */
  public static RunFolder create(Path store, String workload, long seed, Clock clock)
      throws IOException {
    requireNonNull(store, "store");
    if (!WORKLOAD.matcher(workload).matches()) {
      throw new IllegalArgumentException("workload: " + workload + " (expected: [a-z0-9-]{1,41})");
    }
    Path parent = store.resolve(workload);
    Path dir = parent.resolve(STAMP.format(clock.instant()) + "-seed" + seed);
    for (int i = 2; Files.exists(dir); i++) {
      dir = parent.resolve(STAMP.format(clock.instant()) + "-seed" + seed + "-" + i);
    }
    Files.createDirectories(dir);
    Path latest = parent.resolve("latest");
    Files.deleteIfExists(latest);
    try {
      Files.createSymbolicLink(latest, dir.getFileName());
    } catch (UnsupportedOperationException | IOException e) {
      Files.writeString(latest, dir.getFileName() + "\n", StandardCharsets.UTF_8);
    }
    return new RunFolder(dir, workload);
  }

  /** The folder. */
  public Path path() {
    return dir;
  }

  /** Where the recorder should append events while the run goes on. */
  public Path historyFile() {
    return dir.resolve("history.jsonl");
  }

  /** Writes {@code run.json}: whatever replays the run (seed, nemesis options, node count...). */
  public void writeRunInfo(Map<String, ?> info) throws IOException {
    JSON.writeValue(dir.resolve("run.json").toFile(), info);
  }

  /**
   * Writes everything that follows from a finished run: the history (unless the recorder already
   * streamed it), the nemesis log, the verdicts, the summary line and the plots.
   *
   * @return the summary line
   */
  public String writeResults(History history, List<CheckResult> results) throws IOException {
    if (!Files.exists(historyFile())) {
      HistoryJson.write(historyFile(), history);
    }
    Files.writeString(dir.resolve("nemesis.log"), nemesisLog(history), StandardCharsets.UTF_8);
    JSON.writeValue(dir.resolve("results.json").toFile(), results);
    String line = Summary.line(workload, results, history);
    Files.writeString(dir.resolve("summary.txt"), line + "\n", StandardCharsets.UTF_8);
    List<FaultWindow> faults = FaultWindow.of(history);
    Files.writeString(
        dir.resolve("latency.svg"),
        Plots.latency(history, faults, workload + ": latency"),
        StandardCharsets.UTF_8);
    Duration bucket = Duration.ofNanos(Math.max(100_000_000L, history.endTime() / 100));
    Files.writeString(
        dir.resolve("throughput.svg"),
        Plots.throughput(history, faults, bucket, workload + ": throughput"),
        StandardCharsets.UTF_8);
    return line;
  }

  /** One line per nemesis operation: {@code 12.345s start-partition {...} -> {...}}. */
  static String nemesisLog(History history) {
    List<String> lines = new ArrayList<>();
    for (Operation op : history.nemesisOperations()) {
      lines.add(
          String.format(
              Locale.ROOT,
              "%10.3fs %-20s %s -> %s%s",
              op.invokeTime() / 1e9,
              op.f(),
              op.input() == null ? "{}" : op.input(),
              op.output() == null ? "{}" : op.output(),
              op.error() == null ? "" : " ERROR " + op.error()));
    }
    return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
  }
}
