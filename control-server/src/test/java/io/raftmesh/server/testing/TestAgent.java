package io.raftmesh.server.testing;

import com.google.protobuf.util.Durations;
import io.grpc.ManagedChannel;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import io.raftmesh.server.tls.MeshChannels;
import io.raftmesh.server.tls.TlsDir;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A simulated agent: its own key, enrollment with a join token, then a node identity. */
public final class TestAgent {
  private static final SecureRandom RANDOM = new SecureRandom();

  public final String name;
  public final KeyPair keys;
  public final TlsDir tls;
  public final EnrollResponse enrolled;

  private TestAgent(String name, KeyPair keys, TlsDir tls, EnrollResponse enrolled) {
    this.name = name;
    this.keys = keys;
    this.tls = tls;
    this.enrolled = enrolled;
  }

  /** Creates a join token as the admin (via {@code server}). */
  public static String token(TestCluster cluster, String server, int uses, Duration ttl) {
    return EnrollmentServiceGrpc.newBlockingStub(cluster.admin(server))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .createJoinToken(
            CreateJoinTokenRequest.newBuilder()
                .setMaxUses(uses)
                .setTtl(Durations.fromMillis(ttl.toMillis()))
                .setDescription("test")
                .build())
        .getToken();
  }

  /** An enrollment request for node {@code name} with a fresh key. */
  public static EnrollRequest request(String token, String name, KeyPair keys, String requestId) {
    return EnrollRequest.newBuilder()
        .setToken(token)
        .setNodeName(name)
        .setCsrPem(Csr.create(keys).toPem())
        .setAddress("10.0.0.1")
        .setAgentVersion("test")
        .setRequestId(requestId)
        .build();
  }

  public static KeyPair newKeys() {
    return KeyAlgorithm.EC_P256.generateKeyPair(RANDOM);
  }

  /** Enrolls node {@code name} through {@code server} over a channel pinned to the root. */
  public static TestAgent enroll(TestCluster cluster, String server, String token, String name) {
    KeyPair keys = newKeys();
    ManagedChannel ch =
        MeshChannels.pinned(
            cluster.target(server), cluster.pki().rootFingerprint(), Clock.systemUTC());
    try {
      EnrollResponse r =
          EnrollmentServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .enroll(request(token, name, keys, UUID.randomUUID().toString()));
      return new TestAgent(name, keys, tlsOf(r, keys), r);
    } finally {
      ch.shutdownNow();
    }
  }

  /** The TLS material an agent keeps after enrollment. */
  public static TlsDir tlsOf(EnrollResponse r, KeyPair keys) {
    TrustBundle bundle =
        TrustBundle.fromPem(TrustDomain.parse(r.getTrustDomain()), r.getTrustBundlePem());
    return new TlsDir(
        Pem.decodeCertificates(r.getCertificateChainPem()), keys.getPrivate(), bundle);
  }

  /** A channel to {@code server} with this node's identity (closed with the cluster). */
  public ManagedChannel channel(TestCluster cluster, String server) {
    return cluster.channel(server, tls);
  }
}
