package io.raftmesh.server.testing;

import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.server.cli.RaftmeshMain;
import io.raftmesh.server.tls.TlsDir;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trust material of a test cluster, made at test time exactly as an operator makes it: {@code
 * raftmesh ca bootstrap} (offline root) then {@code raftmesh ca init} (issuer sealed under a new
 * KEK, a TLS directory per server, one for the first admin).
 */
public final class TestPki {
  public static final String TRUST_DOMAIN = "mesh.test";

  private final Path root;
  private final Path cluster;

  private TestPki(Path root, Path cluster) {
    this.root = root;
    this.cluster = cluster;
  }

  /** Runs the two CLI commands into {@code dir} for servers {@code ids} on 127.0.0.1. */
  public static TestPki create(Path dir, List<String> ids) {
    Path root = dir.resolve("root");
    Path cluster = dir.resolve("cluster");
    run("ca", "bootstrap", "--trust-domain", TRUST_DOMAIN, "--out", root.toString());
    List<String> args = new ArrayList<>(List.of("ca", "init"));
    args.addAll(
        List.of(
            "--root-cert",
            root.resolve("root.crt").toString(),
            "--root-key",
            root.resolve("root.key").toString(),
            "--out",
            cluster.toString()));
    for (String id : ids) {
      args.add("--server");
      args.add(id + "=127.0.0.1,localhost");
    }
    run(args.toArray(new String[0]));
    return new TestPki(root, cluster);
  }

  private static void run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = RaftmeshMain.run(args, Map.of(), new PrintWriter(out), new PrintWriter(err));
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", args) + " exited " + code + ": " + err);
    }
  }

  public Path serverTls(String id) {
    return cluster.resolve("servers").resolve(id);
  }

  public Path adminTls() {
    return cluster.resolve("admin");
  }

  public TlsDir admin() {
    return TlsDir.read(adminTls());
  }

  public Path kekFile() {
    return cluster.resolve("kek.key");
  }

  public Path issuerFile() {
    return cluster.resolve("issuer.json");
  }

  public Path rootCert() {
    return root.resolve("root.crt");
  }

  public Path rootKey() {
    return root.resolve("root.key");
  }

  public Fingerprint rootFingerprint() {
    return Fingerprint.of(Pem.readCertificates(rootCert()).get(0));
  }

  public Path clusterDir() {
    return cluster;
  }
}
