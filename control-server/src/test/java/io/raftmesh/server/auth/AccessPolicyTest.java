package io.raftmesh.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.raftmesh.proto.v1.CertificateServiceGrpc;
import io.raftmesh.proto.v1.ClusterServiceGrpc;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.proto.v1.RegistrationServiceGrpc;
import io.raftmesh.proto.v1.TelemetryServiceGrpc;
import io.raftmesh.server.auth.Caller.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  private static final List<ServiceDescriptor> SERVICES =
      List.of(
          ConfigServiceGrpc.getServiceDescriptor(),
          EnrollmentServiceGrpc.getServiceDescriptor(),
          CertificateServiceGrpc.getServiceDescriptor(),
          DeltaServiceGrpc.getServiceDescriptor(),
          RegistrationServiceGrpc.getServiceDescriptor(),
          ClusterServiceGrpc.getServiceDescriptor(),
          TelemetryServiceGrpc.getServiceDescriptor());

  private final AccessPolicy policy = AccessPolicy.mesh();

  static List<String> allMethods() {
    List<String> out = new ArrayList<>();
    for (ServiceDescriptor s : SERVICES) {
      for (MethodDescriptor<?, ?> m : s.getMethods()) {
        out.add(m.getFullMethodName());
      }
    }
    return out;
  }

  @Test
  void everyMethodOfEveryServiceHasAnEntry() {
    assertThat(allMethods())
        .hasSizeGreaterThan(20)
        .allSatisfy(m -> assertThat(policy.covers(m)).as(m).isTrue());
  }

  @Test
  void aMethodNotInTheTableIsRefusedToEveryone() {
    assertThat(policy.allowed("raftmesh.v1.ConfigService/DropEverything")).isEmpty();
  }

  @Test
  void onlyEnrollmentAcceptsACallerWithoutACertificate() {
    for (String m : allMethods()) {
      boolean anonymous = policy.allowed(m).contains(Role.ANONYMOUS);
      assertThat(anonymous).as(m).isEqualTo(m.equals("raftmesh.v1.EnrollmentService/Enroll"));
    }
  }

  @Test
  void onlyAdminsWriteConfigAndManageTokensMembersAndBackups() {
    for (String m :
        List.of(
            ConfigServiceGrpc.getApplyMethod().getFullMethodName(),
            ConfigServiceGrpc.getDeleteMethod().getFullMethodName(),
            EnrollmentServiceGrpc.getCreateJoinTokenMethod().getFullMethodName(),
            EnrollmentServiceGrpc.getRevokeJoinTokenMethod().getFullMethodName(),
            ClusterServiceGrpc.getAddMemberMethod().getFullMethodName(),
            ClusterServiceGrpc.getRemoveMemberMethod().getFullMethodName(),
            ClusterServiceGrpc.getSaveSnapshotMethod().getFullMethodName(),
            CertificateServiceGrpc.getInstallIssuerMethod().getFullMethodName(),
            TelemetryServiceGrpc.getQueryWindowMethod().getFullMethodName())) {
      assertThat(policy.allowed(m)).as(m).isEqualTo(Set.of(Role.ADMIN));
    }
  }

  @Test
  void nodeOnlyMethodsRefuseAdminsAndServers() {
    for (String m :
        List.of(
            DeltaServiceGrpc.getSubscribeMethod().getFullMethodName(),
            CertificateServiceGrpc.getSignWorkloadMethod().getFullMethodName(),
            RegistrationServiceGrpc.getRegisterMethod().getFullMethodName(),
            RegistrationServiceGrpc.getHeartbeatMethod().getFullMethodName(),
            TelemetryServiceGrpc.getReportMethod().getFullMethodName())) {
      assertThat(policy.allowed(m)).as(m).isEqualTo(Set.of(Role.NODE));
    }
  }
}
