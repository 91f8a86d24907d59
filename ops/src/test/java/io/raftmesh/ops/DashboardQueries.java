package io.raftmesh.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The PromQL expressions of a Grafana dashboard (panels, rows' nested panels). */
final class DashboardQueries {
  private DashboardQueries() {}

  static List<String> expressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    collect(dashboard.path("panels"), out);
    return out;
  }

  private static void collect(JsonNode panels, List<String> out) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText("");
        if (!expr.isBlank()) {
          out.add(expr);
        }
      }
      collect(panel.path("panels"), out);
    }
  }
}
