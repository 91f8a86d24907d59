package io.raftmesh.agent.proxy.bench;

import io.raftmesh.agent.proxy.SidecarProxy;
import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.config.ServiceName;
import io.raftmesh.agent.proxy.testing.Resources;
import io.raftmesh.agent.proxy.testing.TestPki;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.Protocol;
import java.io.FileReader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * The benchmark's helper process (ops/bench/proxy.sh): mints the PKI as PEM files (shared with
 * HAProxy), and runs one raftmesh proxy of the pair until killed.
 *
 * <pre>
 * BenchTool pki DIR
 * BenchTool client DIR LISTEN_PORT UPSTREAM_INBOUND_PORT
 * BenchTool server DIR INBOUND_PORT APP_PORT
 * </pre>
 */
public final class BenchTool {
  private static final String TD = "bench.mesh";
  private static final ServiceName WEB = new ServiceName("bench", "web");
  private static final ServiceName API = new ServiceName("bench", "api");

  private BenchTool() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    switch (args[0]) {
      case "pki":
        pki(dir);
        return;
      case "client":
        run(dir, true, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        return;
      case "server":
        run(dir, false, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        return;
      default:
        throw new IllegalArgumentException(
            "command: " + args[0] + " (expected: pki, client, server)");
    }
  }

  private static void pki(Path dir) throws Exception {
    Files.createDirectories(dir);
    TestPki pki = new TestPki(TD);
    write(dir.resolve("root.pem"), pki.root());
    for (ServiceName s : List.of(WEB, API)) {
      TestPki.Leaf leaf = pki.issue(s.spiffeId(TD));
      write(
          dir.resolve(s.name() + ".pem"),
          leaf.cert(),
          new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(leaf.key(), null));
    }
  }

  private static void write(Path file, Object... objects) throws Exception {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      for (Object o : objects) {
        pem.writeObject(o);
      }
    }
  }

  private static void run(Path dir, boolean client, int port, int other) throws Exception {
    ServiceName me = client ? WEB : API;
    X509Certificate root = null;
    X509Certificate cert = null;
    PrivateKey key = null;
    for (Path f : List.of(dir.resolve("root.pem"), dir.resolve(me.name() + ".pem"))) {
      try (PEMParser p = new PEMParser(new FileReader(f.toFile(), StandardCharsets.US_ASCII))) {
        Object o;
        while ((o = p.readObject()) != null) {
          if (o instanceof X509CertificateHolder) {
            X509Certificate c =
                new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o);
            if (f.getFileName().toString().equals("root.pem")) {
              root = c;
            } else {
              cert = c;
            }
          } else if (o instanceof PrivateKeyInfo) {
            key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) o);
          } else if (o instanceof org.bouncycastle.openssl.PEMKeyPair) {
            key =
                new JcaPEMKeyConverter()
                    .getPrivateKey(((org.bouncycastle.openssl.PEMKeyPair) o).getPrivateKeyInfo());
          }
        }
      }
    }
    if (root == null || cert == null || key == null) {
      throw new IllegalStateException("pki files incomplete in " + dir);
    }
    InetSocketAddress lo = new InetSocketAddress("127.0.0.1", 0);
    LocalService local =
        client
            ? new LocalService(
                WEB,
                AppProtocol.HTTP,
                lo,
                new InetSocketAddress("127.0.0.1", 9),
                new InetSocketAddress("127.0.0.1", port),
                List.of(LocalService.Upstream.http(API)))
            : new LocalService(
                API,
                AppProtocol.HTTP,
                new InetSocketAddress("127.0.0.1", port),
                new InetSocketAddress("127.0.0.1", other),
                null,
                List.of());
    SidecarProxy proxy =
        SidecarProxy.builder()
            .trustDomain(TD)
            .trustManager(trust(root))
            .identity(me, TestPki.keyManager(key, cert, root))
            .localService(local)
            .threads(1)
            .build();
    proxy.start();
    proxy.apply(
        List.of(
            Resources.meshConfig(TD, false),
            Resources.service("bench", "web", Protocol.HTTP),
            Resources.service("bench", "api", Protocol.HTTP),
            Resources.endpoint("bench", "api", "n1", client ? other : port, Map.of()),
            Resources.authz(
                "bench",
                "api",
                AuthorizationAction.DENY,
                Resources.rule(AuthorizationAction.ALLOW, WEB.spiffeId(TD)))),
        1);
    System.out.println(
        "raftmesh bench proxy ready role="
            + (client ? "client" : "server")
            + " port="
            + port
            + " tls="
            + proxy.tlsProvider()
            + " transport="
            + proxy.transportName());
    new CountDownLatch(1).await();
  }

  private static X509ExtendedTrustManager trust(X509Certificate root) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("root", root);
    TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
    f.init(ks);
    for (TrustManager tm : f.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager) {
        return (X509ExtendedTrustManager) tm;
      }
    }
    throw new IllegalStateException("no trust manager");
  }
}
