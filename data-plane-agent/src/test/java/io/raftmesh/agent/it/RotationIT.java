package io.raftmesh.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.Agent;
import io.raftmesh.agent.cert.CertificateKind;
import io.raftmesh.agent.cert.ManagedCertificate;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.identity.IdentityFiles;
import io.raftmesh.agent.testing.AgentHarness;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.FakeControlServer;
import io.raftmesh.agent.testing.FakeMesh;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.tls.RotatingKeyManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With 20-second node and workload certificates, the agent rotates each at least twice while a
 * mutual-TLS connection made with the workload certificate stays open and keeps working, new
 * handshakes present the newest certificate, and the agent's TLS connections to the control servers
 * are not re-established for the rotations.
 */
@Timeout(150)
class RotationIT {
  @TempDir Path dir;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @Test
  void rotatesTwiceWithoutDroppingAnOpenConnection() throws Exception {
    TestPki pki = TestPki.create("mesh.test");
    FakeMesh mesh = new FakeMesh(pki);
    mesh.ttls(Duration.ofSeconds(20), Duration.ofSeconds(20));
    List<FakeControlServer> servers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      FakeControlServer s = FakeControlServer.tls("n" + i, mesh, FakeControlServer.sentLog());
      servers.add(s);
      closeables.add(s);
    }
    AgentConfig config =
        AgentHarness.config(
            "node-r",
            servers.stream().map(FakeControlServer::address).toList(),
            dir,
            AgentHarness.oneService());
    RecordingDataPlane plane = new RecordingDataPlane();
    Agent agent =
        AgentHarness.start(
            config,
            AgentHarness.options(
                mesh.createToken(1, Duration.ofMinutes(5)),
                plane,
                ChannelFactory.tls(),
                s -> new HealthProbe.Result(true, "ok")));
    closeables.add(agent);
    assertThat(agent.awaitServing(Duration.ofSeconds(30))).isTrue();
    ManagedCertificate workload =
        agent.certificates().get(IdentityFiles.workloadName("shop", "web"));
    X509ExtendedKeyManager serverKeys = plane.identities.values().iterator().next();
    assertThat(serverKeys).isSameAs(workload.keyManager());

    // A TLS server with the workload's live key manager, and a client from another workload.
    SSLContext serverContext = SSLContext.getInstance("TLSv1.3");
    serverContext.init(new KeyManager[] {serverKeys}, new TrustManager[] {plane.trust}, null);
    SSLServerSocket listener =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
    listener.setNeedClientAuth(true);
    closeables.add(listener);
    Thread echo = new Thread(() -> serveEcho(listener), "echo");
    echo.setDaemon(true);
    echo.start();
    RotatingKeyManager clientKeys =
        pki.leaf(
            new MeshIdentity.Workload(pki.trustDomain, "shop", "client").spiffeId(),
            Duration.ofHours(1));
    SSLContext clientContext = SSLContext.getInstance("TLSv1.3");
    clientContext.init(
        new KeyManager[] {clientKeys},
        new TrustManager[] {MeshTrustManager.of(pki.bundle(), id -> true, Clock.systemUTC())},
        null);
    SSLSocket kept =
        (SSLSocket)
            clientContext
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    closeables.add(kept);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(kept.getInputStream(), StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(kept.getOutputStream(), true, StandardCharsets.UTF_8);
    out.println("before");
    assertThat(in.readLine()).isEqualTo("before");
    String firstServerSerial = serial(kept.getSession().getPeerCertificates()[0]);
    int connectionsBefore = servers.stream().mapToInt(FakeControlServer::totalConnections).sum();

    Set<String> nodeSerials = new LinkedHashSet<>();
    Set<String> workloadSerials = new LinkedHashSet<>();
    Eventually.await(
        Duration.ofSeconds(90),
        () -> "two rotations of each: node=" + nodeSerials + " workload=" + workloadSerials,
        () -> {
          for (ManagedCertificate c : agent.certificates().certificates()) {
            (c.kind() == CertificateKind.NODE ? nodeSerials : workloadSerials)
                .add(c.current().serial());
          }
          return nodeSerials.size() >= 3 && workloadSerials.size() >= 3;
        });

    out.println("after");
    assertThat(in.readLine())
        .as("the connection made before the rotations still works")
        .isEqualTo("after");
    assertThat(serial(kept.getSession().getPeerCertificates()[0])).isEqualTo(firstServerSerial);
    // A new client context: the old one would resume its TLS session and see the old chain.
    SSLContext freshContext = SSLContext.getInstance("TLSv1.3");
    freshContext.init(
        new KeyManager[] {clientKeys},
        new TrustManager[] {MeshTrustManager.of(pki.bundle(), id -> true, Clock.systemUTC())},
        null);
    try (SSLSocket fresh =
        (SSLSocket)
            freshContext
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
      String before = workload.current().serial();
      fresh.startHandshake();
      String after = workload.current().serial();
      String presented = serial(fresh.getSession().getPeerCertificates()[0]);
      assertThat(presented)
          .as("a new handshake presents the newest workload certificate")
          .isIn(before, after)
          .isNotEqualTo(firstServerSerial);
    }
    assertThat(servers.stream().mapToInt(FakeControlServer::totalConnections).sum())
        .as("control-server connections were not re-established for the rotations")
        .isEqualTo(connectionsBefore);
    long revision = mesh.put(FakeMesh.service("shop", "late", "v1"));
    Eventually.await(
        Duration.ofSeconds(20), "config still flows", () -> agent.appliedRevision() >= revision);
  }

  private static String serial(java.security.cert.Certificate c) {
    return ((X509Certificate) c).getSerialNumber().toString(16);
  }

  private static void serveEcho(SSLServerSocket listener) {
    while (!listener.isClosed()) {
      try {
        SSLSocket s = (SSLSocket) listener.accept();
        Thread t =
            new Thread(
                () -> {
                  try (s;
                      BufferedReader r =
                          new BufferedReader(
                              new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                      PrintWriter w =
                          new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      w.println(line);
                    }
                  } catch (java.io.IOException e) {
                    // connection closed
                  }
                });
        t.setDaemon(true);
        t.start();
      } catch (java.io.IOException e) {
        return;
      }
    }
  }
}
