package io.raftmesh.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.Durations;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftmesh.proto.v1.ListMembersRequest;
import io.raftmesh.proto.v1.Member;
import io.raftmesh.proto.v1.MembersResponse;
import io.raftmesh.proto.v1.QueryTelemetryRequest;
import io.raftmesh.proto.v1.QueryTelemetryResponse;
import io.raftmesh.proto.v1.TelemetryServiceGrpc;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh stats [SERVICE]}: live traffic per service and per edge (requests, RPS, success
 * rate, p50/p99 latency), merged from every control server's telemetry window. Servers that do not
 * answer are named; the command fails only when none answers.
 */
@Command(
    name = "stats",
    description =
        "Show live traffic per service and per edge (RPS, success rate, p50/p99), merged from every"
            + " control server.",
    mixinStandardHelpOptions = true)
final class StatsCommand implements Callable<Integer> {
  private static final String NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SERVICE",
      description = "Only this service (namespace/name) and the edges to and from it.")
  String service = "";

  @Option(
      names = "--window",
      defaultValue = "60s",
      description =
          "How far back to look, with a unit; the servers keep --telemetry-window (default: ${DEFAULT-VALUE}).")
  String window = "60s";

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String output = "table";

  /** One server's answer or why it gave none. */
  record Answer(String server, String address, QueryTelemetryResponse window, String error) {}

  @Override
  public Integer call() throws InterruptedException {
    if (!service.isEmpty() && !service.matches(NAME + "/" + NAME)) {
      throw new UsageException(
          "SERVICE=" + service + " is not valid: expected namespace/name, e.g. shop/web");
    }
    Duration span = CliValues.duration("--window", window);
    if (span.isNegative() || span.isZero()) {
      throw new UsageException("--window=" + window + " is not valid: expected more than zero");
    }
    String format = output.toLowerCase(Locale.ROOT);
    if (!format.equals("table") && !format.equals("json")) {
      throw new UsageException("--output=" + output + " is not valid: expected table or json");
    }
    List<Answer> answers;
    try (ClusterClient c = client.connect()) {
      answers = ask(c, span);
    }
    List<QueryTelemetryResponse> windows = new ArrayList<>();
    List<String> silent = new ArrayList<>();
    for (Answer a : answers) {
      if (a.error().isEmpty()) {
        windows.add(a.window());
      } else {
        silent.add(a.server() + " (" + a.error() + ")");
      }
    }
    if (windows.isEmpty()) {
      throw Status.UNAVAILABLE
          .withDescription(
              "no control server answered the telemetry query: " + String.join("; ", silent))
          .asRuntimeException();
    }
    TrafficStats stats = TrafficStats.merge(windows, service);
    PrintWriter w = spec.commandLine().getOut();
    w.print(format.equals("json") ? json(stats, answers) : table(stats, answers));
    w.flush();
    if (!silent.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("warning: not every server answered; missing: " + String.join("; ", silent));
      err.flush();
    }
    return 0;
  }

  /**
   * Asks every member (from the member list) for its window, all at once. The addresses given with
   * {@code --servers} are asked too, so a member whose API address is not recorded yet still
   * answers; answers are matched to members by the server id they carry.
   */
  private List<Answer> ask(ClusterClient c, Duration span) throws InterruptedException {
    MembersResponse members =
        c.call(
            (ch, ms) ->
                ApplyCommand.cluster(ch, ms).listMembers(ListMembersRequest.getDefaultInstance()));
    Set<String> addresses = new LinkedHashSet<>();
    for (Member m : members.getMembersList()) {
      if (!m.getApiAddress().isEmpty()) {
        addresses.add(m.getApiAddress());
      }
    }
    addresses.addAll(c.servers());
    QueryTelemetryRequest request =
        QueryTelemetryRequest.newBuilder()
            .setWindow(Durations.fromMillis(span.toMillis()))
            .setService(service)
            .build();
    Map<String, CompletableFuture<QueryTelemetryResponse>> calls = new LinkedHashMap<>();
    for (String address : addresses) {
      CompletableFuture<QueryTelemetryResponse> answer = new CompletableFuture<>();
      TelemetryServiceGrpc.newStub(c.channel(address))
          .withDeadlineAfter(c.deadline().toMillis(), TimeUnit.MILLISECONDS)
          .queryWindow(request, completing(answer));
      calls.put(address, answer);
    }
    Map<String, Answer> byServer = new LinkedHashMap<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<QueryTelemetryResponse>> call : calls.entrySet()) {
      try {
        QueryTelemetryResponse r = call.getValue().get();
        byServer.putIfAbsent(r.getServerId(), new Answer(r.getServerId(), call.getKey(), r, ""));
      } catch (ExecutionException e) {
        errors.put(call.getKey(), Errors.describe(e));
      }
    }
    List<Answer> out = new ArrayList<>();
    for (Member m : members.getMembersList()) {
      Answer a = byServer.remove(m.getId());
      if (a != null) {
        out.add(a);
      } else {
        String why =
            m.getApiAddress().isEmpty()
                ? "no API address known"
                : errors.getOrDefault(m.getApiAddress(), "no answer");
        out.add(
            new Answer(
                m.getId(), m.getApiAddress(), QueryTelemetryResponse.getDefaultInstance(), why));
      }
    }
    out.addAll(byServer.values()); // answered, though not in the member list (yet)
    return out;
  }

  private static <T> StreamObserver<T> completing(CompletableFuture<T> future) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        future.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        future.completeExceptionally(
            Status.INTERNAL.withDescription("no answer").asRuntimeException());
      }
    };
  }

  static String table(TrafficStats stats, List<Answer> answers) {
    StringBuilder sb = new StringBuilder();
    List<String> answered = new ArrayList<>();
    for (Answer a : answers) {
      answered.add(a.server() + (a.error().isEmpty() ? "" : " (no answer)"));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "Window: %s, servers: %s%n%n",
            seconds(stats.window()),
            String.join(", ", answered)));
    Table services = new Table("SERVICE", "REQUESTS", "RPS", "SUCCESS", "P50", "P99");
    for (TrafficStats.Row r : stats.services()) {
      services.row(
          r.destination(),
          r.requests(),
          rps(r, stats),
          percent(r.successRate()),
          latency(r.latency().quantile(0.5)),
          latency(r.latency().quantile(0.99)));
    }
    sb.append(services.isEmpty() ? "No inbound traffic in the window.\n" : services.render());
    sb.append('\n');
    Table edges = new Table("SOURCE", "DESTINATION", "REQUESTS", "RPS", "SUCCESS", "P50", "P99");
    for (TrafficStats.Row r : stats.edges()) {
      edges.row(
          r.source(),
          r.destination(),
          r.requests(),
          rps(r, stats),
          percent(r.successRate()),
          latency(r.latency().quantile(0.5)),
          latency(r.latency().quantile(0.99)));
    }
    sb.append(edges.isEmpty() ? "No outbound traffic in the window.\n" : edges.render());
    return sb.toString();
  }

  static String json(TrafficStats stats, List<Answer> answers) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("window_seconds", stats.window().toMillis() / 1000.0);
    ArrayNode servers = root.putArray("servers");
    for (Answer a : answers) {
      ObjectNode s = servers.addObject().put("id", a.server()).put("address", a.address());
      s.put("answered", a.error().isEmpty());
      if (!a.error().isEmpty()) {
        s.put("error", a.error());
      } else {
        s.put("reporting_nodes", a.window().getReportingNodes());
        s.put("dropped_edges", a.window().getDroppedEdges());
      }
    }
    ArrayNode services = root.putArray("services");
    for (TrafficStats.Row r : stats.services()) {
      row(services.addObject().put("service", r.destination()), r, stats);
    }
    ArrayNode edges = root.putArray("edges");
    for (TrafficStats.Row r : stats.edges()) {
      row(
          edges.addObject().put("source", r.source()).put("destination", r.destination()),
          r,
          stats);
    }
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  private static void row(ObjectNode o, TrafficStats.Row r, TrafficStats stats) {
    o.put("requests", r.requests());
    o.put("successes", r.successes());
    o.put("rps", r.rps(stats.window()));
    putNumber(o, "success_rate", r.successRate());
    putNumber(o, "p50_seconds", r.latency().quantile(0.5));
    putNumber(o, "p99_seconds", r.latency().quantile(0.99));
  }

  private static void putNumber(ObjectNode o, String name, double v) {
    if (Double.isNaN(v)) {
      o.putNull(name);
    } else {
      o.put(name, v);
    }
  }

  private static String rps(TrafficStats.Row r, TrafficStats stats) {
    return String.format(Locale.ROOT, "%.2f", r.rps(stats.window()));
  }

  private static String percent(double rate) {
    return Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.2f%%", rate * 100);
  }

  /** Seconds as "850us", "12.3ms" or "1.52s"; "-" for NaN. */
  static String latency(double seconds) {
    if (Double.isNaN(seconds)) {
      return "-";
    }
    if (seconds < 0.001) {
      return String.format(Locale.ROOT, "%.0fus", seconds * 1e6);
    }
    if (seconds < 1) {
      return String.format(Locale.ROOT, "%.1fms", seconds * 1e3);
    }
    return String.format(Locale.ROOT, "%.2fs", seconds);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }
}
