package io.raftmesh.agent.admin;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@code raftmesh agent status} shows: the agent's identity, certificates, applied config,
 * connected server, and the services and endpoints it knows. Serialized as JSON (snake_case) by the
 * admin endpoint.
 *
 * @param node the node's name
 * @param spiffeId the node's SPIFFE ID
 * @param trustDomain the trust domain
 * @param agentVersion this build
 * @param certificates every certificate the agent keeps fresh
 * @param outageBudgetSeconds seconds until the first certificate expires
 * @param appliedRevision the config revision in force
 * @param receivedRevision the newest revision received (above applied after a NACK)
 * @param connectedServer the server of the open config stream ({@code host:port}), or null
 * @param serverId that server's id as its deltas name it
 * @param lastNack the last refused revision and why, or null
 * @param dataPlane whether the data plane serves ({@code serving}) or waits ({@code waiting: ...})
 * @param localServices the node's own services
 * @param mesh the services the node knows and their endpoints
 * @param resourceCount how many resources the applied view holds
 */
public record AgentStatus(
    String node,
    String spiffeId,
    String trustDomain,
    String agentVersion,
    List<Certificate> certificates,
    long outageBudgetSeconds,
    long appliedRevision,
    long receivedRevision,
    @Nullable String connectedServer,
    String serverId,
    @Nullable Nack lastNack,
    String dataPlane,
    List<LocalService> localServices,
    List<MeshService> mesh,
    int resourceCount) {

  /**
   * A certificate.
   *
   * @param kind node or workload
   * @param spiffeId its identity
   * @param serial lower-case hex
   * @param notAfter ISO-8601
   * @param nextRefresh ISO-8601
   * @param lastError the last failed renewal, or null
   */
  public record Certificate(
      String kind,
      String spiffeId,
      String serial,
      String notAfter,
      String nextRefresh,
      @Nullable String lastError) {}

  /**
   * A refused config.
   *
   * @param revision the revision refused
   * @param reason why
   * @param at ISO-8601
   */
  public record Nack(long revision, String reason, String at) {}

  /**
   * A local service.
   *
   * @param name {@code namespace/name}
   * @param inboundPort the inbound listener's port
   * @param appPort the application's port
   * @param health its current health
   * @param registered whether its endpoint is registered
   */
  public record LocalService(
      String name, int inboundPort, int appPort, String health, boolean registered) {}

  /**
   * A service of the mesh.
   *
   * @param name {@code namespace/name}
   * @param protocol its protocol
   * @param endpoints its endpoints
   */
  public record MeshService(String name, String protocol, List<Endpoint> endpoints) {}

  /**
   * An endpoint.
   *
   * @param node the node hosting it
   * @param address {@code address:port}
   * @param health its health
   */
  public record Endpoint(String node, String address, String health) {}
}
