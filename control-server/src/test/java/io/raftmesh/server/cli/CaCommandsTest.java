package io.raftmesh.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.issue.IssuancePolicy;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.keys.KeyEncryptionKey;
import io.raftmesh.ca.keys.SealedKey;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.proto.v1.IssuerRecord;
import io.raftmesh.server.ca.IssuerFile;
import io.raftmesh.server.tls.TlsDir;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCommandsTest {

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = RaftmeshMain.run(args, Map.of(), new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private Path bootstrap() {
    Path root = dir.resolve("root");
    Result r =
        run("ca", "bootstrap", "--trust-domain", "mesh.example.org", "--out", root.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return root;
  }

  @Test
  void bootstrapWritesARootAndPrintsItsFingerprint() throws Exception {
    Path root = dir.resolve("root");

    Result r =
        run("ca", "bootstrap", "--trust-domain", "mesh.example.org", "--out", root.toString());

    assertThat(r.code()).isZero();
    X509Certificate cert = Pem.readCertificates(root.resolve("root.crt")).get(0);
    assertThat(r.out()).contains("fingerprint: " + Fingerprint.of(cert));
    assertThat(Files.getPosixFilePermissions(root.resolve("root.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(SpiffeId.fromCertificate(cert).toString()).isEqualTo("spiffe://mesh.example.org");
  }

  @Test
  void bootstrapNeverOverwritesARoot() {
    Path root = bootstrap();

    Result again =
        run("ca", "bootstrap", "--trust-domain", "mesh.example.org", "--out", root.toString());

    assertThat(again.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(again.err()).contains("already holds a root");
  }

  @Test
  void badOptionValuesAreUsageErrorsNamingTheOption() {
    Result badDomain =
        run("ca", "bootstrap", "--trust-domain", "Not A Domain", "--out", dir.toString());
    Result badValidity =
        run(
            "ca",
            "bootstrap",
            "--trust-domain",
            "a.b",
            "--validity",
            "10",
            "--out",
            dir.toString());
    Result missing = run("ca", "bootstrap", "--out", dir.toString());

    assertThat(badDomain.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(badDomain.err()).contains("--trust-domain=Not A Domain is not valid");
    assertThat(badValidity.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(badValidity.err()).contains("--validity=10 is not valid");
    assertThat(missing.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(missing.err()).contains("--trust-domain");
  }

  @Test
  void initIssuesASealedIssuerAndServerAndAdminCertificates() throws Exception {
    Path root = bootstrap();
    Path out = dir.resolve("cluster");

    Result r =
        run(
            "ca",
            "init",
            "--root-cert",
            root.resolve("root.crt").toString(),
            "--root-key",
            root.resolve("root.key").toString(),
            "--server",
            "n1=127.0.0.1,n1.example.org",
            "--server",
            "n2=127.0.0.2",
            "--out",
            out.toString());

    assertThat(r.code()).as(r.err()).isZero();
    TlsDir n1 = TlsDir.read(out.resolve("servers/n1"));
    assertThat(n1.spiffeId().toString()).isEqualTo("spiffe://mesh.example.org/control/n1");
    X509Certificate leaf = n1.chain().get(0);
    assertThat(leaf.getSubjectAlternativeNames())
        .extracting(l -> l.get(1).toString())
        .contains("127.0.0.1", "n1.example.org", "spiffe://mesh.example.org/control/n1");
    assertThat(n1.chain()).hasSize(3);
    ChainVerifier.of(n1.trustBundle(), Clock.systemUTC())
        .verify(n1.chain(), ChainVerifier.PeerRole.SERVER);
    TlsDir admin = TlsDir.read(out.resolve("admin"));
    assertThat(admin.spiffeId().toString()).isEqualTo("spiffe://mesh.example.org/admin/admin");
    ChainVerifier.of(admin.trustBundle(), Clock.systemUTC())
        .verify(admin.chain(), ChainVerifier.PeerRole.CLIENT);

    IssuerRecord issuer = IssuerFile.read(out.resolve(IssuerFile.NAME));
    KeyEncryptionKey kek = KeyEncryptionKey.read(out.resolve("kek.key"));
    List<X509Certificate> chain = Pem.decodeCertificates(issuer.getCertificateChainPem());
    IssuingCa ca =
        IssuingCa.unseal(
            chain,
            SealedKey.parse(issuer.getEncryptedPrivateKey().toByteArray()),
            kek,
            IssuancePolicy.DEFAULT,
            Clock.systemUTC(),
            new SecureRandom());
    assertThat(ca.trustDomain().name()).isEqualTo("mesh.example.org");
    assertThat(issuer.getKeyId()).isEqualTo(ca.keyId().toString());
    assertThat(Files.readString(out.resolve(IssuerFile.NAME))).doesNotContain("PRIVATE KEY");
  }

  @Test
  void initRefusesAnUnreadableRootAndBadServerNames() {
    Path root = bootstrap();

    Result noRoot =
        run(
            "ca",
            "init",
            "--root-cert",
            dir.resolve("nope.crt").toString(),
            "--root-key",
            root.resolve("root.key").toString(),
            "--server",
            "n1=127.0.0.1",
            "--out",
            dir.resolve("c").toString());
    Result badServer =
        run(
            "ca",
            "init",
            "--root-cert",
            root.resolve("root.crt").toString(),
            "--root-key",
            root.resolve("root.key").toString(),
            "--server",
            "N_1=127.0.0.1",
            "--out",
            dir.resolve("c").toString());

    assertThat(noRoot.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(noRoot.err()).contains("--root-cert=").contains("is not valid");
    assertThat(badServer.code()).isEqualTo(RaftmeshMain.USAGE);
    assertThat(badServer.err()).contains("--server=N_1=127.0.0.1 is not valid");
  }
}
