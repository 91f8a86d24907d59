package io.raftmesh.chaos.workload;

import io.grpc.ManagedChannel;
import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.cluster.MeshIdentity;
import io.raftmesh.proto.v1.CreateJoinTokenRequest;
import io.raftmesh.proto.v1.CreateJoinTokenResponse;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * What an agent does to join, done by the harness: a P-256 key, a CSR (BouncyCastle), a join token
 * from an admin, and {@code Enroll} over a channel without a client certificate.
 */
public final class Enroller {
  private Enroller() {}

  /** A fresh P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 keys are not available in this JVM", e);
    }
  }

  /** A PKCS#10 CSR for {@code keys}, PEM (the server ignores its subject). */
  public static String csrPem(KeyPair keys, String subject) {
    try {
      PKCS10CertificationRequest csr =
          new JcaPKCS10CertificationRequestBuilder(
                  new X500Principal("CN=" + subject), keys.getPublic())
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(csr);
      }
      return out.toString();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot build a CSR", e);
    }
  }

  /** The private key as PKCS#8 PEM. */
  public static String privateKeyPem(KeyPair keys) {
    String b64 =
        Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  /** An admin creates a join token through {@code node}. */
  public static CreateJoinTokenResponse createToken(
      Cluster cluster, String node, int maxUses, Duration ttl, Duration timeout) {
    return EnrollmentServiceGrpc.newBlockingStub(cluster.channel(node))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .createJoinToken(
            CreateJoinTokenRequest.newBuilder()
                .setMaxUses(maxUses)
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttl.toSeconds()))
                .setDescription("chaos harness")
                .build());
  }

  /** {@code Enroll} through {@code node} without a client certificate. */
  public static EnrollResponse enroll(
      Cluster cluster,
      String node,
      String token,
      String name,
      KeyPair keys,
      String requestId,
      Duration timeout) {
    ManagedChannel ch = cluster.anonymousChannel(node);
    try {
      return EnrollmentServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .enroll(
              EnrollRequest.newBuilder()
                  .setToken(token)
                  .setNodeName(name)
                  .setCsrPem(csrPem(keys, name))
                  .setRequestId(requestId)
                  .build());
    } finally {
      ch.shutdownNow();
    }
  }

  /**
   * Enrolls node {@code name} with a one-use token, retrying through every node (same request id,
   * so a retry gets the first answer) until {@code timeout}.
   */
  public static MeshIdentity enrollNode(Cluster cluster, String name, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    KeyPair keys = newKeyPair();
    String requestId = UUID.randomUUID().toString();
    String token = null;
    RuntimeException last = new IllegalStateException("no attempt");
    for (int i = 0; System.nanoTime() - deadline < 0; i++) {
      String node = cluster.nodes().get(i % cluster.nodes().size());
      try {
        if (token == null) {
          token =
              createToken(cluster, node, 1, Duration.ofHours(1), Duration.ofSeconds(5)).getToken();
        }
        EnrollResponse r =
            enroll(cluster, node, token, name, keys, requestId, Duration.ofSeconds(5));
        return new MeshIdentity(r.getSpiffeId(), r.getCertificateChainPem(), privateKeyPem(keys));
      } catch (RuntimeException e) {
        last = e;
        Thread.sleep(300);
      }
    }
    throw new UncheckedIOException(
        new IOException("enrolling " + name + " did not succeed in " + timeout, last));
  }
}
