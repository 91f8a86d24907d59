package io.raftmesh.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.issue.IssuedCertificate;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Cross-checks what the CA makes with the openssl binary (installed by ops/prereqs.sh). */
@Timeout(120)
class OpensslCrossCheckIT {
  static final TestPki PKI = TestPki.create("ossl.test");
  static final TestPki FOREIGN = TestPki.create("ossl.test");

  @TempDir Path dir;

  record Run(int exit, String output) {}

  @BeforeAll
  static void requireOpenssl() {
    boolean found = false;
    String path = System.getenv("PATH");
    for (String entry : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(entry, "openssl"))) {
        found = true;
      }
    }
    assumeTrue(
        found,
        "openssl binary not on PATH: skipping the openssl cross-checks (run ops/prereqs.sh to install it)");
  }

  Run openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    boolean done = process.waitFor(30, TimeUnit.SECONDS);
    if (!done) {
      process.destroyForcibly();
      throw new AssertionError("openssl " + String.join(" ", args) + " did not finish in 30 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.exitValue(), output);
  }

  Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  String attime() {
    return String.valueOf(PKI.clock.instant().getEpochSecond());
  }

  @Test
  void opensslVerifiesTheIssuedChainIncludingTheUriNameConstraint() throws Exception {
    write("root.pem", Pem.encodeCertificates(List.of(PKI.root.certificate())));
    write("issuer.pem", Pem.encodeCertificates(List.of(PKI.issuerCertificate)));
    write("leaf.pem", PKI.leaf("ns", "shop", "sa", "cart").issued().certificatePem());
    Run run =
        openssl(
            "verify",
            "-x509_strict",
            "-attime",
            attime(),
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuer.pem",
            "leaf.pem");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("leaf.pem: OK");
    Run server =
        openssl(
            "verify",
            "-attime",
            attime(),
            "-purpose",
            "sslserver",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuer.pem",
            "leaf.pem");
    assertThat(server.exit()).as(server.output()).isZero();
    Run client =
        openssl(
            "verify",
            "-attime",
            attime(),
            "-purpose",
            "sslclient",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuer.pem",
            "leaf.pem");
    assertThat(client.exit()).as(client.output()).isZero();
  }

  @Test
  void opensslRefusesALeafFromAnotherRoot() throws Exception {
    write("root.pem", Pem.encodeCertificates(List.of(PKI.root.certificate())));
    write("issuer.pem", Pem.encodeCertificates(List.of(FOREIGN.issuerCertificate)));
    write("leaf.pem", FOREIGN.leaf("node", "n1").issued().certificatePem());
    Run run =
        openssl(
            "verify",
            "-attime",
            attime(),
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuer.pem",
            "leaf.pem");
    assertThat(run.exit()).isNotZero();
    assertThat(run.output()).contains("unable to get local issuer certificate");
  }

  @Test
  void x509TextShowsSpiffeSanEkusAndNoCaBit() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(TestPki.RANDOM);
    IssuedCertificate server =
        PKI.issuer.issue(
            LeafRequest.forPublicKey(PKI.id("control", "n1"), keys.getPublic())
                .dnsName("n1.ossl.test")
                .ipAddress("127.0.0.1")
                .lifetime(Duration.ofDays(30))
                .build());
    write("leaf.pem", server.certificatePem());
    Run run = openssl("x509", "-in", "leaf.pem", "-noout", "-text");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("URI:spiffe://ossl.test/control/n1")
        .contains("DNS:n1.ossl.test")
        .contains("IP Address:127.0.0.1")
        .contains("TLS Web Server Authentication, TLS Web Client Authentication")
        .contains("CA:FALSE")
        .contains("Digital Signature")
        .doesNotContain("Certificate Sign");
    write("issuer.pem", Pem.encodeCertificates(List.of(PKI.issuerCertificate)));
    Run issuer = openssl("x509", "-in", "issuer.pem", "-noout", "-text");
    assertThat(issuer.output())
        .contains("CA:TRUE, pathlen:0")
        .contains("Permitted:")
        .contains("URI:ossl.test")
        .contains("Certificate Sign, CRL Sign");
    write("root.pem", Pem.encodeCertificates(List.of(PKI.root.certificate())));
    Run fingerprint = openssl("x509", "-in", "root.pem", "-noout", "-fingerprint", "-sha256");
    assertThat(fingerprint.output().strip()).endsWith("=" + PKI.root.fingerprint().toColonHex());
  }

  @Test
  void opensslReadsOurKeysAndCsrsAndWeReadItsCsrs() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P384.generateKeyPair(TestPki.RANDOM);
    write("key.pem", Pem.encodePrivateKey(keys.getPrivate()));
    assertThat(openssl("pkey", "-in", "key.pem", "-noout").exit()).isZero();
    write("csr.pem", Csr.create(keys).toPem());
    Run verify = openssl("req", "-in", "csr.pem", "-noout", "-verify");
    assertThat(verify.exit()).as(verify.output()).isZero();
    Run made =
        openssl(
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "theirs.key",
            "-subj",
            "/CN=ignored",
            "-addext",
            "subjectAltName=URI:spiffe://ossl.test/admin/root",
            "-out",
            "theirs.csr");
    assertThat(made.exit()).as(made.output()).isZero();
    Csr csr = Csr.parsePem(Files.readString(dir.resolve("theirs.csr")));
    IssuedCertificate issued =
        PKI.issuer.issue(LeafRequest.forCsr(PKI.id("node", "n9"), csr).build());
    assertThat(issued.certificate().getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://ossl.test/node/n9"));
    Run ca =
        openssl(
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-subj",
            "/CN=ca",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-out",
            "ca.csr");
    assertThat(ca.exit()).isZero();
    String caCsr = Files.readString(dir.resolve("ca.csr"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Csr.parsePem(caCsr))
        .hasMessageContaining("cA=true");
  }
}
