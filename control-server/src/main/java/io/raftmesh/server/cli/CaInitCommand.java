package io.raftmesh.server.cli;

import com.google.protobuf.ByteString;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.IssuancePolicy;
import io.raftmesh.ca.issue.IssuedCertificate;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.issue.RootCa;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.KeyEncryptionKey;
import io.raftmesh.ca.keys.KeyId;
import io.raftmesh.ca.keys.SealedKey;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.IssuerRecord;
import io.raftmesh.server.ca.IssuerFile;
import io.raftmesh.server.tls.TlsDir;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh ca init}: with the offline root, makes everything a new cluster needs and writes
 * it under {@code --out}: the issuing CA sealed under a new key-encryption key ({@code
 * issuer.json}, {@code kek.key}), a TLS directory per server ({@code servers/<id>/}) and one for
 * the first admin ({@code admin/}). Servers load these at first start; the first leader stores the
 * sealed issuer through Raft. The root key is used here and nowhere else.
 */
@Command(
    name = "init",
    description =
        "Issue the cluster's issuing CA, a key-encryption key, server certificates and a first admin certificate.",
    mixinStandardHelpOptions = true)
final class CaInitCommand implements Callable<Integer> {

  private static final Pattern ID = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--root-cert",
      required = true,
      description = "Root certificate (root.crt from ca bootstrap).")
  Path rootCert = Path.of("root.crt");

  @Option(
      names = "--root-key",
      required = true,
      description = "Root private key (root.key from ca bootstrap).")
  Path rootKey = Path.of("root.key");

  @Option(
      names = "--server",
      required = true,
      description =
          "A control server and the addresses it is reached at: ID=ADDR[,ADDR...] (repeat per server), e.g. n1=127.0.0.1,n1.example.org.")
  List<String> servers = new ArrayList<>();

  @Option(
      names = "--admin",
      defaultValue = "admin",
      description = "Name of the first admin (default: ${DEFAULT-VALUE}).")
  String admin = "admin";

  @Option(
      names = "--out",
      required = true,
      description = "Directory to write into (created; existing files are never overwritten).")
  Path out = Path.of(".");

  @Option(
      names = "--kek-file",
      description = "Use this existing key-encryption key instead of making a new one.")
  @org.jspecify.annotations.Nullable
  Path kekFile;

  @Option(
      names = "--issuer-validity",
      defaultValue = "365d",
      description = "Lifetime of the issuing CA (default: ${DEFAULT-VALUE}).")
  String issuerValidity = "365d";

  @Option(
      names = "--server-cert-validity",
      defaultValue = "90d",
      description = "Lifetime of server certificates (default: ${DEFAULT-VALUE}).")
  String serverValidity = "90d";

  @Option(
      names = "--admin-cert-validity",
      defaultValue = "30d",
      description = "Lifetime of the admin certificate (default: ${DEFAULT-VALUE}).")
  String adminValidity = "30d";

  @Override
  public Integer call() throws Exception {
    Duration issuerLife = CliValues.duration("--issuer-validity", issuerValidity);
    Duration serverLife = CliValues.duration("--server-cert-validity", serverValidity);
    Duration adminLife = CliValues.duration("--admin-cert-validity", adminValidity);
    Map<String, List<String>> serverAddresses = parseServers();
    if (!ID.matcher(admin).matches()) {
      throw new UsageException(
          "--admin=" + admin + " is not valid: expected lower-case letters, digits and '-'");
    }
    for (Path existing :
        List.of(out.resolve(IssuerFile.NAME), out.resolve("kek.key"), out.resolve("admin"))) {
      if (Files.exists(existing) && !(existing.endsWith("kek.key") && kekFile != null)) {
        throw new UsageException(
            "--out=" + out + " is not valid: " + existing + " exists; refusing to overwrite");
      }
    }
    Clock clock = Clock.systemUTC();
    SecureRandom random = new SecureRandom();
    RootCa root;
    try {
      root =
          RootCa.of(
              Pem.readCertificates(rootCert).get(0), Pem.readPrivateKey(rootKey), clock, random);
    } catch (RuntimeException e) {
      throw new UsageException("--root-cert=" + rootCert + " is not valid: " + e.getMessage());
    }
    TrustDomain td = root.trustDomain();
    Files.createDirectories(out);

    KeyEncryptionKey kek;
    Path kekPath = out.resolve("kek.key");
    if (kekFile != null) {
      kek = KeyEncryptionKey.read(kekFile);
      kekPath = kekFile;
    } else {
      kek = KeyEncryptionKey.generate(random);
      kek.write(kekPath);
    }

    KeyAlgorithm algorithm = KeyAlgorithm.of(root.certificate().getPublicKey());
    KeyPair issuerKeys = algorithm.generateKeyPair(random);
    X509Certificate issuerCert = root.signIssuer(issuerKeys.getPublic(), issuerLife);
    List<X509Certificate> issuerChain = List.of(issuerCert, root.certificate());
    IssuingCa issuer =
        IssuingCa.of(
            issuerChain,
            issuerKeys.getPrivate(),
            IssuancePolicy.DEFAULT
                .withMaxLifetime(Duration.ofDays(3650))
                .withDefaultLifetime(serverLife),
            clock,
            random);
    String keyId = KeyId.of(issuerKeys.getPublic()).toString();
    SealedKey sealed =
        kek.seal(issuerKeys.getPrivate(), IssuingCa.SEALED_KEY_PURPOSE, keyId, random);
    TrustBundle bundle = TrustBundle.of(td, List.of(root.certificate()));
    IssuerRecord record =
        IssuerRecord.newBuilder()
            .setKeyId(keyId)
            .setCertificateChainPem(Pem.encodeCertificates(issuerChain))
            .setTrustBundlePem(bundle.toPem())
            .setEncryptedPrivateKey(ByteString.copyFrom(sealed.encoded()))
            .setTrustDomain(td.name())
            .setNotAfter(
                com.google.protobuf.util.Timestamps.fromMillis(issuerCert.getNotAfter().getTime()))
            .build();
    IssuerFile.write(out.resolve(IssuerFile.NAME), record);
    Pem.writeText(out.resolve(TlsDir.TRUST_BUNDLE), bundle.toPem());

    PrintWriter w = spec.commandLine().getOut();
    w.printf(
        "issuing CA for trust domain %s (key id %s, not after %s)%n",
        td.name(), keyId, issuerCert.getNotAfter().toInstant());
    w.printf(
        "  %s  the issuer, its key sealed under the KEK: give it to every server (--issuer-file)%n",
        out.resolve(IssuerFile.NAME));
    w.printf(
        "  %s  the key-encryption key: give it to every server (--kek-file), keep it secret%n",
        kekPath);
    for (Map.Entry<String, List<String>> s : serverAddresses.entrySet()) {
      Path dir = out.resolve("servers").resolve(s.getKey());
      issueTo(
          issuer,
          new MeshIdentity.ControlServer(td, s.getKey()).spiffeId(),
          s.getValue(),
          serverLife,
          bundle,
          dir,
          algorithm,
          random);
      w.printf("  %s/  TLS for server %s (%s)%n", dir, s.getKey(), String.join(", ", s.getValue()));
    }
    Path adminDir = out.resolve("admin");
    issueTo(
        issuer,
        new MeshIdentity.Admin(td, admin).spiffeId(),
        List.of(),
        adminLife,
        bundle,
        adminDir,
        algorithm,
        random);
    w.printf(
        "  %s/  TLS for admin %s: use it with --tls-dir (or RAFTMESH_TLS_DIR)%n", adminDir, admin);
    w.printf("root fingerprint: %s%n", root.fingerprint());
    w.flush();
    return 0;
  }

  private Map<String, List<String>> parseServers() {
    Map<String, List<String>> result = new LinkedHashMap<>();
    for (String s : servers) {
      int eq = s.indexOf('=');
      String id = eq < 0 ? s : s.substring(0, eq);
      if (!ID.matcher(id).matches() || id.length() > 63) {
        throw new UsageException(
            "--server=" + s + " is not valid: expected ID=ADDR[,ADDR...] with a lower-case id");
      }
      List<String> addresses = new ArrayList<>();
      if (eq >= 0) {
        for (String a : s.substring(eq + 1).split(",")) {
          if (!a.isBlank()) {
            addresses.add(a.trim());
          }
        }
      }
      if (result.put(id, addresses) != null) {
        throw new UsageException(
            "--server=" + s + " is not valid: server " + id + " is named twice");
      }
    }
    return result;
  }

  private static void issueTo(
      IssuingCa issuer,
      io.raftmesh.ca.identity.SpiffeId id,
      List<String> addresses,
      Duration lifetime,
      TrustBundle bundle,
      Path dir,
      KeyAlgorithm algorithm,
      SecureRandom random)
      throws java.io.IOException {
    if (Files.exists(dir.resolve(TlsDir.KEY))) {
      throw new UsageException(
          "--out is not valid: " + dir.resolve(TlsDir.KEY) + " exists; refusing to overwrite");
    }
    KeyPair keys = algorithm.generateKeyPair(random);
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (String a : addresses) {
      if (isIpLiteral(a)) {
        ips.add(a);
      } else {
        dns.add(a);
      }
    }
    IssuedCertificate cert =
        issuer.issue(
            LeafRequest.forPublicKey(id, keys.getPublic())
                .lifetime(lifetime)
                .dnsNames(dns)
                .ipAddresses(ips)
                .build());
    List<X509Certificate> chain = new ArrayList<>(cert.chain());
    issuer.root().ifPresent(chain::add);
    new TlsDir(chain, keys.getPrivate(), bundle).write(dir);
  }

  private static boolean isIpLiteral(String a) {
    if (a.contains(":")) {
      return true;
    }
    if (!a.matches("[0-9.]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(a).getHostAddress().equals(a);
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
