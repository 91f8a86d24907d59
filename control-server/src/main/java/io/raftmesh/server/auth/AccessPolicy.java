package io.raftmesh.server.auth;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.MethodDescriptor;
import io.raftmesh.proto.v1.CertificateServiceGrpc;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.TelemetryServiceGrpc;
import io.raftmesh.server.auth.Caller.Role;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which callers may call which method. A method missing from the table is refused to everyone (deny
 * by default), and a test checks that every method of every service has an entry. Finer rules (a
 * node writes only its own endpoints, signs only for services it hosts) are checked by the services
 * themselves.
 */
public final class AccessPolicy {
  private static final Set<Role> ANYONE = EnumSet.allOf(Role.class);
  private static final Set<Role> MESH = EnumSet.of(Role.CONTROL, Role.ADMIN, Role.NODE);
  private static final Set<Role> ADMIN = EnumSet.of(Role.ADMIN);
  private static final Set<Role> NODE = EnumSet.of(Role.NODE);

  private final Map<String, Set<Role>> table = new HashMap<>();

  private AccessPolicy() {}

  /** The mesh's policy. */
  public static AccessPolicy mesh() {
    AccessPolicy p = new AccessPolicy();
    // Enrollment: the token is the credential.
    p.allow(EnrollmentServiceGrpc.getEnrollMethod(), ANYONE);
    p.allow(EnrollmentServiceGrpc.getCreateJoinTokenMethod(), ADMIN);
    p.allow(EnrollmentServiceGrpc.getListJoinTokensMethod(), ADMIN);
    p.allow(EnrollmentServiceGrpc.getRevokeJoinTokenMethod(), ADMIN);
    p.allow(CertificateServiceGrpc.getSignWorkloadMethod(), NODE);
    p.allow(CertificateServiceGrpc.getRenewNodeMethod(), NODE);
    p.allow(CertificateServiceGrpc.getGetTrustBundleMethod(), MESH);
    p.allow(CertificateServiceGrpc.getInstallIssuerMethod(), ADMIN);
    p.allow(CertificateServiceGrpc.getSignPrivilegedMethod(), EnumSet.of(Role.ADMIN, Role.CONTROL));
    p.allow(CertificateServiceGrpc.getListCertificatesMethod(), ADMIN);
    p.allow(ConfigServiceGrpc.getApplyMethod(), ADMIN);
    p.allow(ConfigServiceGrpc.getDeleteMethod(), ADMIN);
    p.allow(ConfigServiceGrpc.getGetMethod(), MESH);
    p.allow(ConfigServiceGrpc.getListMethod(), MESH);
    p.allow(DeltaServiceGrpc.getSubscribeMethod(), NODE);
    p.allow(RegistrationServiceGrpc.getRegisterMethod(), NODE);
    p.allow(RegistrationServiceGrpc.getDeregisterMethod(), NODE);
    p.allow(RegistrationServiceGrpc.getReportHealthMethod(), NODE);
    p.allow(RegistrationServiceGrpc.getHeartbeatMethod(), NODE);
    p.allow(ClusterServiceGrpc.getStatusMethod(), MESH);
    p.allow(ClusterServiceGrpc.getListMembersMethod(), MESH);
    p.allow(ClusterServiceGrpc.getAddMemberMethod(), ADMIN);
    p.allow(ClusterServiceGrpc.getRemoveMemberMethod(), ADMIN);
    p.allow(ClusterServiceGrpc.getTransferLeadershipMethod(), ADMIN);
    p.allow(ClusterServiceGrpc.getSaveSnapshotMethod(), ADMIN);
    p.allow(ClusterServiceGrpc.getListChangesMethod(), ADMIN);
    // Telemetry: agents report their own edges (checked by the service), operators read windows.
    p.allow(TelemetryServiceGrpc.getReportMethod(), NODE);
    p.allow(TelemetryServiceGrpc.getQueryWindowMethod(), ADMIN);
    // xDS (ADS) for Envoy and proxyless gRPC clients: the same callers as the delta stream.
    p.allow(AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(), NODE);
    p.allow(AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(), NODE);
    return p;
  }

  private void allow(MethodDescriptor<?, ?> method, Set<Role> roles) {
    table.put(method.getFullMethodName(), Set.copyOf(roles));
  }

  /** The roles that may call {@code fullMethodName}; empty for a method not in the table. */
  public Set<Role> allowed(String fullMethodName) {
    return table.getOrDefault(fullMethodName, Set.of());
  }

  /** Whether the table has an entry for {@code fullMethodName}. */
  public boolean covers(String fullMethodName) {
    return table.containsKey(fullMethodName);
  }
}
