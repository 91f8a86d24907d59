package io.raftmesh.agent;

import io.raftmesh.agent.admin.AgentStatus;
import io.raftmesh.agent.cert.ManagedCertificate;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.agent.subscribe.ConfigApplier;
import io.raftmesh.agent.subscribe.DeltaSubscriber;
import io.raftmesh.agent.subscribe.MeshView;
import io.raftmesh.proto.v1.EndpointSpec;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds {@link AgentStatus} from a running agent. */
final class StatusReport {
  private StatusReport() {}

  static AgentStatus of(Agent agent) {
    List<AgentStatus.Certificate> certificates = new ArrayList<>();
    List<ManagedCertificate> all = new ArrayList<>(agent.certificates().certificates());
    all.sort(
        Comparator.comparing((ManagedCertificate c) -> c.kind())
            .thenComparing(c -> c.spiffeId().toString()));
    for (ManagedCertificate c : all) {
      certificates.add(
          new AgentStatus.Certificate(
              c.kind().label(),
              c.spiffeId().toString(),
              c.current().serial(),
              c.current().notAfter().toString(),
              c.nextRefresh().toString(),
              c.lastError()));
    }
    Duration budget = agent.certificates().outageBudget();
    MeshView view = agent.appliedView();
    ConfigApplier applier = agent.applier();
    DeltaSubscriber subscriber = agent.subscriber();
    ConfigApplier.Nack nack = applier == null ? null : applier.lastNack();
    HostPort connected = subscriber == null ? null : subscriber.connectedServer();
    List<AgentStatus.LocalService> locals = new ArrayList<>();
    for (LocalServiceConfig s : agent.services()) {
      locals.add(
          new AgentStatus.LocalService(
              s.qualifiedName(),
              s.inboundPort(),
              s.appPort(),
              agent.health().status(s).name(),
              agent.isRegistered()));
    }
    return new AgentStatus(
        agent.config().nodeName(),
        agent.nodeId().toString(),
        agent.nodeId().trustDomain().name(),
        agent.options().version(),
        certificates,
        budget == null ? 0 : budget.toSeconds(),
        view.revision(),
        subscriber == null
            ? view.revision()
            : Math.max(view.revision(), subscriber.receivedRevision()),
        connected == null ? null : connected.toString(),
        subscriber == null ? "" : subscriber.serverId(),
        nack == null
            ? null
            : new AgentStatus.Nack(nack.revision(), nack.reason(), nack.at().toString()),
        agent.dataPlaneState(),
        locals,
        mesh(view),
        view.size());
  }

  private static List<AgentStatus.MeshService> mesh(MeshView view) {
    Map<String, String> protocols = new TreeMap<>();
    for (Resource r : view.ofType(ResourceType.SERVICE)) {
      protocols.put(r.getNamespace() + "/" + r.getName(), r.getService().getProtocol().name());
    }
    Map<String, List<AgentStatus.Endpoint>> endpoints = new TreeMap<>();
    for (Resource r : view.ofType(ResourceType.ENDPOINT)) {
      EndpointSpec e = r.getEndpoint();
      String service = r.getNamespace() + "/" + e.getService();
      endpoints
          .computeIfAbsent(service, k -> new ArrayList<>())
          .add(
              new AgentStatus.Endpoint(
                  e.getNode(), e.getAddress() + ":" + e.getPort(), e.getHealth().name()));
      protocols.putIfAbsent(service, "UNKNOWN");
    }
    List<AgentStatus.MeshService> out = new ArrayList<>();
    for (Map.Entry<String, String> p : protocols.entrySet()) {
      out.add(
          new AgentStatus.MeshService(
              p.getKey(), p.getValue(), endpoints.getOrDefault(p.getKey(), List.of())));
    }
    return out;
  }
}
