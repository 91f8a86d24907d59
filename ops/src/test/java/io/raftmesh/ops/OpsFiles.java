package io.raftmesh.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Locates and reads the ops module's files, and runs external tools, for the tests. */
final class OpsFiles {
  private static final Pattern METRIC = Pattern.compile("\\braftmesh_[a-z0-9_]+");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

  private OpsFiles() {}

  /** The ops module's directory (Surefire and Failsafe run in it). */
  static Path opsDir() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("demo.sh"))) {
      throw new IllegalStateException("not the ops module: " + dir);
    }
    return dir;
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a YAML file (empty documents skipped). */
  static List<JsonNode> yamlDocuments(Path file) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        new YAMLMapper().readerFor(JsonNode.class).readValues(read(file))) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    return docs;
  }

  static JsonNode json(Path file) {
    try {
      return new ObjectMapper().readTree(read(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** The raftmesh_* names a PromQL expression (or any text) mentions. */
  static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  /** The sample names of a Prometheus text exposition (histograms give _bucket, _sum, _count). */
  static Set<String> scrapedNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n", -1)) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** Where a program is on PATH, or null. */
  static Path onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Result of a finished command. */
  record Run(int code, String output) {}

  /**
   * Runs a command in {@code dir} with extra environment variables, stdout and stderr together
   * (through a file, so a hung command cannot block the reader), killing it after {@code seconds}.
   */
  static Run run(Path dir, long seconds, List<String> command, Map<String, String> env) {
    try {
      Path out = Files.createTempFile("ops-test", ".out");
      try {
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
          p.toHandle().descendants().forEach(ProcessHandle::destroy);
          p.destroy();
          p.waitFor(20, TimeUnit.SECONDS);
          p.destroyForcibly();
          throw new IllegalStateException(
              command + " did not finish in " + seconds + "s; output:\n" + read(out));
        }
        return new Run(p.exitValue(), read(out));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Run run(Path dir, long seconds, List<String> command) {
    return run(dir, seconds, command, Map.of());
  }
}
