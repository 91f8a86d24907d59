package io.raftmesh.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mints test certificates at test time with the JDK's {@code keytool} (raft-store may not use
 * BouncyCastle): a CA, and leaf certificates for 127.0.0.1 signed by it, for mutual TLS tests. Each
 * keytool run is a JVM start, so the key entries are assembled in Java.
 */
public final class TestCerts {
  private static final String PASS = "changeit";
  private final Path dir;
  private final String caAlias;

  private TestCerts(Path dir, String caAlias) {
    this.dir = dir;
    this.caAlias = caAlias;
  }

  /** Creates a CA named {@code name} in {@code dir}. */
  public static TestCerts newCa(Path dir, String name) {
    TestCerts ca = new TestCerts(dir, name);
    ca.keytool(
        List.of(
            "-genkeypair",
            "-alias",
            name,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=" + name,
            "-ext",
            "bc:c",
            "-validity",
            "2",
            "-keystore",
            ca.store(name).toString(),
            "-storepass",
            PASS,
            "-storetype",
            "PKCS12"));
    return ca;
  }

  /** Issues a leaf for {@code cn} (SAN 127.0.0.1 and localhost) and returns it as RaftTls. */
  public RaftTls issue(String cn) {
    String alias = caAlias + "-" + cn;
    Path ks = store(alias);
    Path csr = dir.resolve(alias + ".csr");
    Path pem = dir.resolve(alias + ".pem");
    keytool(
        List.of(
            "-genkeypair",
            "-alias",
            "leaf",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=" + cn,
            "-validity",
            "2",
            "-keystore",
            ks.toString(),
            "-storepass",
            PASS,
            "-storetype",
            "PKCS12"));
    keytool(
        List.of(
            "-certreq",
            "-alias",
            "leaf",
            "-keystore",
            ks.toString(),
            "-storepass",
            PASS,
            "-file",
            csr.toString()));
    keytool(
        List.of(
            "-gencert",
            "-alias",
            caAlias,
            "-keystore",
            store(caAlias).toString(),
            "-storepass",
            PASS,
            "-infile",
            csr.toString(),
            "-outfile",
            pem.toString(),
            "-rfc",
            "-ext",
            "san=ip:127.0.0.1,dns:localhost",
            "-ext",
            "eku=serverAuth,clientAuth",
            "-validity",
            "2"));
    try {
      Certificate caCert = load(store(caAlias)).getCertificate(caAlias);
      Certificate leaf;
      try (InputStream in = Files.newInputStream(pem)) {
        leaf = CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      KeyStore keys = load(ks);
      Key key = keys.getKey("leaf", PASS.toCharArray());
      keys.setKeyEntry("leaf", key, PASS.toCharArray(), new Certificate[] {leaf, caCert});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASS.toCharArray());
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", caCert);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return new RaftTls(kmf.getKeyManagers()[0], tmf.getTrustManagers()[0]);
    } catch (Exception e) {
      throw new IllegalStateException("loading test certificate " + alias + ": " + e, e);
    }
  }

  private static KeyStore load(Path ks) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      keys.load(in, PASS.toCharArray());
    }
    return keys;
  }

  private Path store(String alias) {
    return dir.resolve(alias + ".p12");
  }

  private void keytool(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // Each run is a short-lived JVM: skip the optimizing JIT.
    command.add("-J-XX:TieredStopAtLevel=1");
    command.add("-J-XX:+UseSerialGC");
    command.addAll(args);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run keytool: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running keytool", e);
    }
  }
}
