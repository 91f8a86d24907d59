package io.raftmesh.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Prints the admin endpoint's status JSON for people. */
final class StatusPrinter {
  private StatusPrinter() {}

  static void print(JsonNode s, PrintWriter out) {
    out.printf("node           %s (%s)%n", s.path("node").asText(), s.path("spiffe_id").asText());
    out.printf("agent          %s%n", s.path("agent_version").asText());
    out.printf("data plane     %s%n", s.path("data_plane").asText());
    String server =
        s.path("connected_server").isNull() || s.path("connected_server").isMissingNode()
            ? "none (serving the last applied config)"
            : s.path("connected_server").asText()
                + " (server "
                + s.path("server_id").asText()
                + ")";
    out.printf(
        "config         revision %d (received %d), %d resources%n",
        s.path("applied_revision").asLong(),
        s.path("received_revision").asLong(),
        s.path("resource_count").asInt());
    out.printf("connected to   %s%n", server);
    JsonNode nack = s.path("last_nack");
    if (nack.isObject()) {
      out.printf(
          "last NACK      revision %d at %s: %s%n",
          nack.path("revision").asLong(), nack.path("at").asText(), nack.path("reason").asText());
    }
    out.printf(
        "outage budget  %s (until the first certificate expires)%n",
        human(Duration.ofSeconds(s.path("outage_budget_seconds").asLong())));
    out.println();
    List<List<String>> certs = new ArrayList<>();
    certs.add(List.of("KIND", "SPIFFE ID", "SERIAL", "NOT AFTER", "NEXT REFRESH", "LAST ERROR"));
    for (JsonNode c : s.path("certificates")) {
      certs.add(
          List.of(
              c.path("kind").asText(),
              c.path("spiffe_id").asText(),
              c.path("serial").asText(),
              c.path("not_after").asText(),
              c.path("next_refresh").asText(),
              c.path("last_error").isTextual() ? c.path("last_error").asText() : "-"));
    }
    table("certificates", certs, out);
    List<List<String>> locals = new ArrayList<>();
    locals.add(List.of("SERVICE", "INBOUND", "APP", "HEALTH", "REGISTERED"));
    for (JsonNode l : s.path("local_services")) {
      locals.add(
          List.of(
              l.path("name").asText(),
              l.path("inbound_port").asText(),
              l.path("app_port").asText(),
              l.path("health").asText(),
              l.path("registered").asBoolean() ? "yes" : "no"));
    }
    table("local services", locals, out);
    List<List<String>> mesh = new ArrayList<>();
    mesh.add(List.of("SERVICE", "PROTOCOL", "ENDPOINT", "NODE", "HEALTH"));
    for (JsonNode m : s.path("mesh")) {
      if (m.path("endpoints").isEmpty()) {
        mesh.add(List.of(m.path("name").asText(), m.path("protocol").asText(), "-", "-", "-"));
      }
      for (JsonNode e : m.path("endpoints")) {
        mesh.add(
            List.of(
                m.path("name").asText(),
                m.path("protocol").asText(),
                e.path("address").asText(),
                e.path("node").asText(),
                e.path("health").asText()));
      }
    }
    table("mesh services and endpoints", mesh, out);
  }

  private static void table(String title, List<List<String>> rows, PrintWriter out) {
    out.println(title);
    if (rows.size() == 1) {
      out.println("  (none)");
      out.println();
      return;
    }
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder sb = new StringBuilder("  ");
      for (int i = 0; i < row.size(); i++) {
        sb.append(row.get(i));
        if (i < row.size() - 1) {
          sb.append(" ".repeat(widths[i] - row.get(i).length() + 2));
        }
      }
      out.println(sb);
    }
    out.println();
  }

  static String human(Duration d) {
    if (d.isZero() || d.isNegative()) {
      return "0s (expired)";
    }
    long days = d.toDays();
    return (days > 0 ? days + "d" : "")
        + d.toHoursPart()
        + "h"
        + d.toMinutesPart()
        + "m"
        + d.toSecondsPart()
        + "s";
  }
}
