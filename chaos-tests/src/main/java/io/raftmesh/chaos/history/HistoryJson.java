package io.raftmesh.chaos.history;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes histories as JSON lines: one {@link Event} object per line. */
public final class HistoryJson {
  /** The mapper used for every history file; unknown fields are an error, not silently lost. */
  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private HistoryJson() {}

  /** One event as a single JSON line (no trailing newline). */
  public static String toLine(Event event) {
    try {
      return MAPPER.writeValueAsString(event);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise event " + event.index(), e);
    }
  }

  /** Parses one JSON line. */
  public static Event fromLine(String line) throws IOException {
    return MAPPER.readValue(line, Event.class);
  }

  /** Writes every event of the history to {@code file}, replacing it. */
  public static void write(Path file, History history) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Event e : history.events()) {
        out.write(toLine(e));
        out.write('\n');
      }
    }
  }

  /**
   * Reads a history file. A last line cut short (the recorder died while writing it) is ignored;
   * any other malformed line is an error naming its line number.
   */
  public static History read(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    }
    List<Event> events = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        events.add(fromLine(line));
      } catch (IOException e) {
        if (i == lines.size() - 1 && !line.endsWith("}")) {
          break; // torn final write
        }
        throw new IOException(file + ":" + (i + 1) + ": not a history event: " + e.getMessage(), e);
      }
    }
    return History.of(events);
  }

  /** A sink that appends each event to {@code file} and flushes it, so a crash loses nothing. */
  public static EventSink appendingTo(Path file) throws IOException {
    BufferedWriter out =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    return new EventSink() {
      @Override
      public void accept(Event event) throws IOException {
        out.write(toLine(event));
        out.write('\n');
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }
}
