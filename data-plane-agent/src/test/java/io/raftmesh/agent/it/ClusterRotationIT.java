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
import io.raftmesh.agent.testing.ControlCluster;
import io.raftmesh.agent.testing.Eventually;
import io.raftmesh.agent.testing.RecordingChannels;
import io.raftmesh.agent.testing.RecordingDataPlane;
import io.raftmesh.server.testing.Resources;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
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
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation against three real control servers with a 20-second workload and node
 * certificate lifetime (MeshConfig): two agents each renew their node and workload certificates at
 * least twice. Meanwhile a mutual-TLS connection between the two agents' workload identities (their
 * live key and trust managers, as the proxies use them) stays open and keeps carrying data, while
 * new handshakes present the newest certificates; and the agent's one config stream to the control
 * plane, over TLS with the node certificate, is the same stream before and after the rotations.
 */
@Timeout(300)
class ClusterRotationIT {
  private static final Duration TTL = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Agent start(
      ControlCluster cluster,
      String node,
      String service,
      RecordingDataPlane plane,
      ChannelFactory ch) {
    String yaml =
        "services:\n  - {name: "
            + service
            + ", namespace: shop, protocol: http, app-port: 18080, inbound-port: 18443}\n";
    AgentConfig config = AgentHarness.config(node, cluster.addresses(), dir.resolve(node), yaml);
    Agent agent =
        AgentHarness.start(
            config,
            AgentHarness.options(
                cluster.token(1, Duration.ofMinutes(10)),
                plane,
                ch,
                s -> new HealthProbe.Result(true, "ok")));
    closeables.add(agent);
    return agent;
  }

  @Test
  void nodeAndWorkloadCertificatesRotateTwiceWhileAConnectionStaysOpen() throws Exception {
    ControlCluster cluster = ControlCluster.start(dir.resolve("cluster"));
    closeables.add(cluster);
    cluster.apply(
        ControlCluster.meshConfig(TTL, TTL),
        Resources.service("shop", "web"),
        Resources.service("shop", "client"));
    RecordingDataPlane webPlane = new RecordingDataPlane();
    RecordingDataPlane clientPlane = new RecordingDataPlane();
    RecordingChannels webChannels = new RecordingChannels();
    Agent web = start(cluster, "node-web", "web", webPlane, webChannels);
    Agent client = start(cluster, "node-client", "client", clientPlane, ChannelFactory.tls());
    assertThat(web.awaitServing(Duration.ofSeconds(60))).isTrue();
    assertThat(client.awaitServing(Duration.ofSeconds(60))).isTrue();

    ManagedCertificate workload = web.certificates().get(IdentityFiles.workloadName("shop", "web"));
    assertThat(Duration.between(workload.current().lifetimeStart(), workload.current().notAfter()))
        .as("the servers issue with MeshConfig's 20s lifetime")
        .isLessThanOrEqualTo(TTL.plusSeconds(1));
    X509ExtendedKeyManager serverKeys = webPlane.identities.values().iterator().next();
    assertThat(serverKeys).isSameAs(workload.keyManager());

    // web serves TLS with its live workload key manager; client dials with its own.
    SSLServerSocket listener = listen(serverKeys, webPlane.trust);
    closeables.add(listener);
    Thread echo = new Thread(() -> serveEcho(listener), "echo");
    echo.setDaemon(true);
    echo.start();
    X509ExtendedKeyManager clientKeys = clientPlane.identities.values().iterator().next();
    SSLSocket kept = dial(clientKeys, clientPlane.trust, listener.getLocalPort());
    closeables.add(kept);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(kept.getInputStream(), StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(kept.getOutputStream(), true, StandardCharsets.UTF_8);
    out.println("before");
    assertThat(in.readLine()).isEqualTo("before");
    String firstServerSerial = serial(kept.getSession().getPeerCertificates()[0]);
    assertThat(firstServerSerial).isEqualTo(workload.current().serial());

    long before = cluster.apply(Resources.service("shop", "before-rotation"));
    Eventually.await(
        Duration.ofSeconds(30), "config before rotation", () -> web.appliedRevision() >= before);
    int streamBefore = lastStream(webChannels, before);

    Set<String> nodeSerials = new LinkedHashSet<>();
    Set<String> workloadSerials = new LinkedHashSet<>();
    Set<String> clientSerials = new LinkedHashSet<>();
    Eventually.await(
        Duration.ofSeconds(150),
        () ->
            "two rotations of each: node="
                + nodeSerials
                + " workload="
                + workloadSerials
                + " client="
                + clientSerials,
        () -> {
          for (ManagedCertificate c : web.certificates().certificates()) {
            (c.kind() == CertificateKind.NODE ? nodeSerials : workloadSerials)
                .add(c.current().serial());
          }
          clientSerials.add(
              client
                  .certificates()
                  .get(IdentityFiles.workloadName("shop", "client"))
                  .current()
                  .serial());
          return nodeSerials.size() >= 3
              && workloadSerials.size() >= 3
              && clientSerials.size() >= 3;
        });

    out.println("after");
    assertThat(in.readLine())
        .as("the connection made before the rotations still carries data")
        .isEqualTo("after");
    assertThat(serial(kept.getSession().getPeerCertificates()[0]))
        .as("same TLS session: the server certificate of the first handshake")
        .isEqualTo(firstServerSerial);
    // A new client context (the old one would resume the session and see the old chain).
    try (SSLSocket fresh = dial(clientKeys, clientPlane.trust, listener.getLocalPort())) {
      fresh.startHandshake();
      String presented = serial(fresh.getSession().getPeerCertificates()[0]);
      assertThat(presented)
          .as("a new handshake presents a rotated workload certificate")
          .isNotEqualTo(firstServerSerial)
          .isIn(workloadSerials);
    }

    long after = cluster.apply(Resources.service("shop", "after-rotation"));
    Eventually.await(
        Duration.ofSeconds(30), "config after rotation", () -> web.appliedRevision() >= after);
    // The config stream (TLS with the node certificate) survives the node certificate's
    // rotations. On a loaded machine a server may lose its leader and shed its streams (the agent
    // then resumes elsewhere): that is the only reason a stream may have ended meanwhile.
    assertThat(webChannels.ended())
        .as("streams ended only when a server shed them for a lost leader, never for a rotation")
        .allSatisfy(
            e ->
                assertThat(e.description())
                    .as("stream %s ended with %s", e.stream(), e.code())
                    .contains("no leader"));
    if (webChannels.ended().isEmpty()) {
      assertThat(lastStream(webChannels, after))
          .as("the same stream carried config before and after the rotations")
          .isEqualTo(streamBefore);
    }
  }

  /** The stream that carried the delta reaching {@code revision}. */
  private static int lastStream(RecordingChannels channels, long revision) {
    return channels.deltas().stream()
        .filter(d -> d.revision() >= revision)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no delta reached " + revision))
        .stream();
  }

  private static SSLServerSocket listen(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust)
      throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
    SSLServerSocket listener =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
    listener.setNeedClientAuth(true);
    return listener;
  }

  private static SSLSocket dial(
      X509ExtendedKeyManager keys, X509ExtendedTrustManager trust, int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
    return (SSLSocket)
        context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
  }

  private static String serial(Certificate c) {
    return ((X509Certificate) c).getSerialNumber().toString(16);
  }

  private static void serveEcho(SSLServerSocket listener) {
    while (!listener.isClosed()) {
      SSLSocket s;
      try {
        s = (SSLSocket) listener.accept();
      } catch (IOException e) {
        return;
      }
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
                } catch (IOException e) {
                  // the peer closed
                }
              },
              "echo-connection");
      t.setDaemon(true);
      t.start();
    }
  }
}
