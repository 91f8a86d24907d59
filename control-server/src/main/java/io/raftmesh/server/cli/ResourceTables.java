package io.raftmesh.server.cli;

import com.google.protobuf.util.Timestamps;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.NodeSpec;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.proto.v1.WeightedTarget;
import io.raftmesh.server.config.ResourceKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The table columns {@code raftmesh get} shows for each resource type. */
final class ResourceTables {

  private ResourceTables() {}

  static String render(ResourceKind kind, List<Resource> resources, boolean withNamespace) {
    List<String> headers = new ArrayList<>();
    if (withNamespace) {
      headers.add("NAMESPACE");
    }
    headers.add("NAME");
    headers.addAll(columns(kind));
    headers.add("REVISION");
    Table t = new Table(headers.toArray(String[]::new));
    for (Resource r : resources) {
      List<Object> row = new ArrayList<>();
      if (withNamespace) {
        row.add(r.getNamespace());
      }
      row.add(r.getName());
      row.addAll(cells(kind, r));
      row.add(r.getMeta().getModRevision());
      t.row(row.toArray());
    }
    return t.render();
  }

  private static List<String> columns(ResourceKind kind) {
    return switch (kind) {
      case MESH_CONFIG -> List.of("TRUST-DOMAIN", "MTLS", "WORKLOAD-TTL");
      case SERVICE -> List.of("PROTOCOL", "PORTS", "SUBSETS");
      case ENDPOINT -> List.of("SERVICE", "NODE", "ADDRESS", "HEALTH", "LABELS");
      case TRAFFIC_ROUTE -> List.of("DESTINATION", "ROUTES", "DEFAULT-SPLIT");
      case DESTINATION_POLICY -> List.of("DESTINATION", "LB", "MAX-REQUESTS");
      case AUTHORIZATION_POLICY -> List.of("DESTINATION", "DEFAULT", "RULES");
      case NODE -> List.of("ADDRESS", "ACKED", "LAST-NACK", "CERT-EXPIRES");
    };
  }

  private static List<Object> cells(ResourceKind kind, Resource r) {
    return switch (kind) {
      case MESH_CONFIG ->
          List.of(
              r.getMeshConfig().getTrustDomain(),
              lower(r.getMeshConfig().getMtlsMode().name())
                  .replace("mtls_mode_unspecified", "strict"),
              r.getMeshConfig().hasWorkloadCertTtl()
                  ? r.getMeshConfig().getWorkloadCertTtl().getSeconds() + "s"
                  : "24h");
      case SERVICE ->
          List.of(
              lower(r.getService().getProtocol().name()).replace("protocol_unspecified", "tcp"),
              r.getService().getPortsList().stream()
                  .map(ServicePort::getPort)
                  .map(String::valueOf)
                  .collect(Collectors.joining(",")),
              orDash(
                  r.getService().getSubsetsList().stream()
                      .map(Subset::getName)
                      .collect(Collectors.joining(","))));
      case ENDPOINT -> {
        EndpointSpec e = r.getEndpoint();
        yield List.of(
            e.getService(),
            e.getNode(),
            e.getAddress() + ":" + e.getPort(),
            lower(e.getHealth().name()).replace("health_", ""),
            orDash(
                r.getMeta().getLabelsMap().entrySet().stream()
                    .map(x -> x.getKey() + "=" + x.getValue())
                    .sorted()
                    .collect(Collectors.joining(","))));
      }
      case TRAFFIC_ROUTE ->
          List.of(
              r.getTrafficRoute().getDestination(),
              r.getTrafficRoute().getRoutesCount(),
              r.getTrafficRoute().getRoutesCount() == 0
                  ? "-"
                  : split(
                      r.getTrafficRoute()
                          .getRoutes(r.getTrafficRoute().getRoutesCount() - 1)
                          .getSplitList()));
      case DESTINATION_POLICY ->
          List.of(
              r.getDestinationPolicy().getDestination(),
              lower(r.getDestinationPolicy().getLoadBalancer().getAlgorithm().name())
                  .replace("lb_algorithm_unspecified", "peak_ewma"),
              r.getDestinationPolicy().getConnectionPool().getMaxRequests() == 0
                  ? "1024"
                  : String.valueOf(r.getDestinationPolicy().getConnectionPool().getMaxRequests()));
      case AUTHORIZATION_POLICY ->
          List.of(
              r.getAuthorizationPolicy().getDestination(),
              lower(r.getAuthorizationPolicy().getDefaultAction().name())
                  .replace("authorization_action_unspecified", "deny"),
              r.getAuthorizationPolicy().getRulesCount());
      case NODE -> {
        NodeSpec n = r.getNode();
        yield List.of(
            orDash(n.getAddress()),
            n.getAckedRevision(),
            n.hasLastNack()
                ? n.getLastNack().getRevision() + ": " + n.getLastNack().getReason()
                : "-",
            n.hasCertificateNotAfter()
                ? Instant.ofEpochMilli(Timestamps.toMillis(n.getCertificateNotAfter())).toString()
                : "-");
      }
    };
  }

  private static String split(List<WeightedTarget> split) {
    return split.stream()
        .map(
            w ->
                (w.getService().isEmpty() ? "" : w.getService())
                    + (w.getSubset().isEmpty()
                        ? ""
                        : (w.getService().isEmpty() ? "" : "/") + w.getSubset())
                    + "="
                    + w.getWeight())
        .collect(Collectors.joining(","));
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static String orDash(String s) {
    return s.isEmpty() ? "-" : s;
  }
}
