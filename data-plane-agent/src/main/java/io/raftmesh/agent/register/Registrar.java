package io.raftmesh.agent.register;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Durations;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.config.HealthCheckConfig;
import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.agent.control.ControlServers;
import io.raftmesh.proto.v1.DeregisterRequest;
import io.raftmesh.proto.v1.DeregisterResponse;
import io.raftmesh.proto.v1.EndpointRef;
import io.raftmesh.proto.v1.EndpointRegistration;
import io.raftmesh.proto.v1.HealthReport;
import io.raftmesh.proto.v1.HealthStatus;
import io.raftmesh.proto.v1.HeartbeatRequest;
import io.raftmesh.proto.v1.HeartbeatResponse;
import io.raftmesh.proto.v1.RegisterRequest;
import io.raftmesh.proto.v1.RegisterResponse;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.ReportHealthRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks RegistrationService for the node: registers each local service as an Endpoint (address:
 * the node's advertised address; port: the service's inbound listener), reports health changes,
 * heartbeats with the applied revision, and deregisters everything on a clean shutdown. Every call
 * fails over between servers.
 */
public final class Registrar {
  private static final Logger log = LoggerFactory.getLogger(Registrar.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final ControlServers servers;
  private final AgentConfig config;

  /** A registrar for {@code config}'s services. */
  public Registrar(ControlServers servers, AgentConfig config) {
    this.servers = requireNonNull(servers, "servers");
    this.config = requireNonNull(config, "config");
  }

  /** The registration of {@code service} with its initial health. */
  EndpointRegistration registration(LocalServiceConfig service, HealthStatus health) {
    return EndpointRegistration.newBuilder()
        .setNamespace(service.namespace())
        .setService(service.name())
        .setAddress(config.advertiseAddress())
        .setPort(service.inboundPort())
        .putAllLabels(service.labels())
        .setHealth(health)
        .setWeight(service.weight())
        .setLocality(service.locality())
        .build();
  }

  /**
   * Registers every local service (one request, so one revision), each with the health {@code
   * health} gives it, trying servers until one answers ({@code rounds} passes).
   *
   * @throws io.raftmesh.agent.control.ControlPlaneException when none did, or a server refused
   * @throws InterruptedException when interrupted while backing off
   */
  public RegisterResponse register(Function<LocalServiceConfig, HealthStatus> health, int rounds)
      throws InterruptedException {
    RegisterRequest.Builder request =
        RegisterRequest.newBuilder().setRequestId(UUID.randomUUID().toString());
    for (LocalServiceConfig service : config.services()) {
      request.addEndpoints(registration(service, health.apply(service)));
    }
    RegisterRequest built = request.build();
    RegisterResponse response =
        servers.call("register endpoints", rounds, ch -> stub(ch).register(built));
    log.info(
        "endpoints registered node={} count={} revision={}",
        config.nodeName(),
        built.getEndpointsCount(),
        response.getRevision());
    return response;
  }

  /** The initial health of a service: HEALTHY without a check, else unknown until checked. */
  public static HealthStatus initialHealth(LocalServiceConfig service) {
    return service.health().kind() == HealthCheckConfig.Kind.NONE
        ? HealthStatus.HEALTHY
        : HealthStatus.HEALTH_UNKNOWN;
  }

  /** Reports a health change of {@code service}. */
  public void reportHealth(LocalServiceConfig service, HealthStatus health, String detail)
      throws InterruptedException {
    ReportHealthRequest request =
        ReportHealthRequest.newBuilder()
            .addReports(
                HealthReport.newBuilder()
                    .setEndpoint(ref(service))
                    .setHealth(health)
                    .setDetail(detail))
            .build();
    servers.call("report health", 2, ch -> stub(ch).reportHealth(request));
  }

  /**
   * Heartbeats with the applied revision.
   *
   * @return the interval the server asks for (the configured one when it names none)
   */
  public Duration heartbeat(long appliedRevision) throws InterruptedException {
    HeartbeatRequest request =
        HeartbeatRequest.newBuilder().setAppliedRevision(appliedRevision).build();
    HeartbeatResponse response = servers.call("heartbeat", 1, ch -> stub(ch).heartbeat(request));
    if (response.hasInterval()) {
      Duration asked = Duration.ofNanos(Durations.toNanos(response.getInterval()));
      if (!asked.isNegative() && !asked.isZero()) {
        return asked;
      }
    }
    return config.heartbeatInterval();
  }

  /** Removes every endpoint of the node (clean shutdown); one pass over the servers. */
  public DeregisterResponse deregisterAll() throws InterruptedException {
    DeregisterRequest request =
        DeregisterRequest.newBuilder()
            .setAll(true)
            .setRequestId(UUID.randomUUID().toString())
            .build();
    DeregisterResponse response =
        servers.call("deregister endpoints", 1, ch -> stub(ch).deregister(request));
    log.info(
        "endpoints deregistered node={} removed={} revision={}",
        config.nodeName(),
        response.getRemoved(),
        response.getRevision());
    return response;
  }

  private static EndpointRef ref(LocalServiceConfig service) {
    return EndpointRef.newBuilder()
        .setNamespace(service.namespace())
        .setService(service.name())
        .build();
  }

  private static RegistrationServiceGrpc.RegistrationServiceBlockingStub stub(
      io.grpc.Channel channel) {
    return RegistrationServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** All local services as refs (for logs). */
  List<String> names() {
    return config.services().stream().map(LocalServiceConfig::qualifiedName).toList();
  }
}
