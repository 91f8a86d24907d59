package io.raftmesh.agent.proxy.testing;

import com.google.protobuf.Duration;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.AuthorizationPolicySpec;
import io.raftmesh.proto.v1.AuthorizationRule;
import io.raftmesh.proto.v1.DestinationPolicySpec;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.MeshConfigSpec;
import io.raftmesh.proto.v1.MtlsMode;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import java.util.Map;

/** Builders of mesh resources for tests. */
public final class Resources {
  private Resources() {}

  /** The MeshConfig. */
  public static Resource meshConfig(String trustDomain, boolean permissive) {
    return Resource.newBuilder()
        .setType(ResourceType.MESH_CONFIG)
        .setNamespace("system")
        .setName("default")
        .setMeshConfig(
            MeshConfigSpec.newBuilder()
                .setTrustDomain(trustDomain)
                .setMtlsMode(permissive ? MtlsMode.PERMISSIVE : MtlsMode.STRICT))
        .build();
  }

  /** A Service with optional subsets ("name" -> "key=value"). */
  public static Resource service(String ns, String name, Protocol protocol, String... subsets) {
    ServiceSpec.Builder s =
        ServiceSpec.newBuilder()
            .setProtocol(protocol)
            .addPorts(ServicePort.newBuilder().setName("main").setPort(80));
    for (String sub : subsets) {
      String[] p = sub.split("[:=]");
      s.addSubsets(Subset.newBuilder().setName(p[0]).putLabels(p[1], p[2]));
    }
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace(ns)
        .setName(name)
        .setService(s)
        .build();
  }

  /** An Endpoint of {@code service} at 127.0.0.1:{@code port}. */
  public static Resource endpoint(
      String ns, String service, String node, int port, Map<String, String> labels) {
    return Resource.newBuilder()
        .setType(ResourceType.ENDPOINT)
        .setNamespace(ns)
        .setName(service + "." + node)
        .setMeta(ResourceMeta.newBuilder().putAllLabels(labels))
        .setEndpoint(
            EndpointSpec.newBuilder()
                .setService(service)
                .setNode(node)
                .setAddress("127.0.0.1")
                .setPort(port)
                .setHealth(HealthStatus.HEALTHY))
        .build();
  }

  /** A TrafficRoute. */
  public static Resource route(String ns, String name, TrafficRouteSpec spec) {
    return Resource.newBuilder()
        .setType(ResourceType.TRAFFIC_ROUTE)
        .setNamespace(ns)
        .setName(name)
        .setTrafficRoute(spec)
        .build();
  }

  /** A DestinationPolicy. */
  public static Resource policy(String ns, String name, DestinationPolicySpec spec) {
    return Resource.newBuilder()
        .setType(ResourceType.DESTINATION_POLICY)
        .setNamespace(ns)
        .setName(name)
        .setDestinationPolicy(spec)
        .build();
  }

  /** An AuthorizationPolicy for {@code destination} with one rule. */
  public static Resource authz(
      String ns, String destination, AuthorizationAction dflt, AuthorizationRule... rules) {
    AuthorizationPolicySpec.Builder s =
        AuthorizationPolicySpec.newBuilder().setDestination(destination).setDefaultAction(dflt);
    for (AuthorizationRule r : rules) {
      s.addRules(r);
    }
    return Resource.newBuilder()
        .setType(ResourceType.AUTHORIZATION_POLICY)
        .setNamespace(ns)
        .setName(destination + "-authz")
        .setAuthorizationPolicy(s)
        .build();
  }

  /** A rule allowing or denying {@code sources}. */
  public static AuthorizationRule rule(AuthorizationAction action, String... sources) {
    AuthorizationRule.Builder r = AuthorizationRule.newBuilder().setAction(action);
    for (String s : sources) {
      r.addSources(s);
    }
    return r.build();
  }

  /** A duration of {@code millis}. */
  public static Duration millis(long millis) {
    return Duration.newBuilder()
        .setSeconds(millis / 1000)
        .setNanos((int) (millis % 1000) * 1_000_000)
        .build();
  }
}
