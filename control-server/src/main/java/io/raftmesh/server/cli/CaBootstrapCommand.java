package io.raftmesh.server.cli;

import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.RootCa;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.KeyFiles;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.server.config.DurationText;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh ca bootstrap}: makes the offline root key and certificate. The root key stays
 * with the operator; no server ever needs it.
 */
@Command(
    name = "bootstrap",
    description = "Create the offline root CA (key and certificate) and print its fingerprint.",
    mixinStandardHelpOptions = true)
final class CaBootstrapCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--trust-domain",
      required = true,
      description = "SPIFFE trust domain, e.g. mesh.example.org.")
  String trustDomain = "";

  @Option(
      names = "--out",
      required = true,
      description = "Directory for root.crt and root.key (created; must not hold a root yet).")
  Path out = Path.of(".");

  @Option(
      names = "--key-type",
      defaultValue = "P-256",
      description = "P-256 or P-384 (default: ${DEFAULT-VALUE}).")
  String keyType = "P-256";

  @Option(
      names = "--validity",
      defaultValue = "3650d",
      description = "Lifetime of the root, with a unit (default: ${DEFAULT-VALUE}).")
  String validity = "3650d";

  @Override
  public Integer call() throws Exception {
    TrustDomain td = CliValues.trustDomain("--trust-domain", trustDomain);
    KeyAlgorithm algorithm = CliValues.keyAlgorithm("--key-type", keyType);
    Duration lifetime = CliValues.duration("--validity", validity);
    Path cert = out.resolve("root.crt");
    Path key = out.resolve("root.key");
    if (Files.exists(cert) || Files.exists(key)) {
      throw new UsageException(
          "--out="
              + out
              + " is not valid: it already holds a root (root.crt or root.key); refusing to overwrite");
    }
    Files.createDirectories(out);
    RootCa root = RootCa.generate(td, algorithm, lifetime, Clock.systemUTC(), new SecureRandom());
    KeyFiles.writeNewSecret(
        key, Pem.encodePrivateKey(root.privateKey()).getBytes(StandardCharsets.US_ASCII));
    Pem.writeCertificates(cert, List.of(root.certificate()));
    PrintWriter w = spec.commandLine().getOut();
    w.printf("root CA for trust domain %s%n", td.name());
    w.printf("  certificate: %s%n", cert);
    w.printf("  private key: %s (keep it offline)%n", key);
    w.printf("  not after:   %s%n", root.certificate().getNotAfter().toInstant());
    w.printf("  fingerprint: %s%n", root.fingerprint());
    w.flush();
    return 0;
  }

  static Duration parse(String text) {
    return DurationText.parse(text);
  }
}
