package io.raftmesh.server.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scrapes a metrics endpoint and reads samples; runs promtool when the machine has it. */
public final class Scrape {
  private Scrape() {}

  public static String get(int port) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new AssertionError("GET /metrics: " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("GET /metrics on port " + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The value of the first sample whose line starts with {@code series} (NaN when absent). */
  public static double value(String text, String series) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " ([-0-9.eE+NaInf]+)$", Pattern.MULTILINE)
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** The path of promtool, if installed. */
  public static Path promtool() {
    for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Runs {@code promtool check metrics} on {@code text}; returns its exit code and output. */
  public static String[] promtoolCheck(Path promtool, String text)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool did not finish");
    }
    return new String[] {Integer.toString(p.exitValue()), out};
  }
}
