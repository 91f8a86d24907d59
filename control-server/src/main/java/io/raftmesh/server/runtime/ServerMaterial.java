package io.raftmesh.server.runtime;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.keys.KeyEncryptionKey;
import io.raftmesh.ca.keys.SealedKey;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.proto.v1.IssuerRecord;
import io.raftmesh.server.ca.IssuerFile;
import io.raftmesh.server.tls.TlsDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * The files a server is started with, read and checked against each other before anything listens:
 * the TLS directory must hold this server's own identity ({@code control/<id>}), the KEK must open
 * the issuer file, and the issuer must be of the same trust domain. Every problem is an {@link
 * IllegalArgumentException} reading {@code --option=value is not valid: reason}.
 *
 * @param tls this server's certificate chain, key and trust bundle
 * @param kek the cluster's key-encryption key
 * @param issuer the sealed issuer from {@code --issuer-file}, if given
 */
public record ServerMaterial(TlsDir tls, KeyEncryptionKey kek, @Nullable IssuerRecord issuer) {

  /** The trust domain of this server's certificate. */
  public TrustDomain trustDomain() {
    return tls.spiffeId().trustDomain();
  }

  /** Reads and checks the files named by {@code config}. */
  public static ServerMaterial load(ServerConfig config, Clock clock) {
    requireDirectory("--tls-dir", config.tlsDir());
    TlsDir tls;
    try {
      tls = TlsDir.read(config.tlsDir());
    } catch (IllegalArgumentException e) {
      throw invalid("--tls-dir", config.tlsDir(), e.getMessage());
    }
    TrustDomain td = tls.spiffeId().trustDomain();
    String expected = new MeshIdentity.ControlServer(td, config.id()).spiffeId().toString();
    if (!tls.spiffeId().toString().equals(expected)) {
      throw invalid(
          "--tls-dir",
          config.tlsDir(),
          "its certificate is for "
              + tls.spiffeId()
              + " (expected: "
              + expected
              + ", the identity of --id "
              + config.id()
              + ")");
    }
    if (!tls.chain().get(0).getNotAfter().toInstant().isAfter(clock.instant())) {
      throw invalid(
          "--tls-dir",
          config.tlsDir(),
          "its certificate expired at " + tls.chain().get(0).getNotAfter().toInstant());
    }
    requireFile("--kek-file", config.kekFile());
    KeyEncryptionKey kek;
    try {
      kek = KeyEncryptionKey.read(config.kekFile());
    } catch (CaException | IllegalArgumentException e) {
      throw invalid("--kek-file", config.kekFile(), e.getMessage());
    }
    IssuerRecord issuer = null;
    Path issuerFile = config.issuerFile();
    if (issuerFile != null) {
      requireFile("--issuer-file", issuerFile);
      try {
        issuer = IssuerFile.read(issuerFile);
        IssuingCa ca =
            IssuingCa.unseal(
                Pem.decodeCertificates(issuer.getCertificateChainPem()),
                SealedKey.parse(issuer.getEncryptedPrivateKey().toByteArray()),
                kek,
                io.raftmesh.ca.issue.IssuancePolicy.DEFAULT,
                clock,
                new SecureRandom());
        if (!ca.trustDomain().equals(td)) {
          throw invalid(
              "--issuer-file",
              issuerFile,
              "the issuer is for trust domain "
                  + ca.trustDomain()
                  + " (expected: "
                  + td
                  + ", the trust domain of --tls-dir)");
        }
      } catch (CaException e) {
        throw invalid(
            "--issuer-file",
            issuerFile,
            e.getMessage() + " (is --kek-file the KEK it was sealed with?)");
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("--issuer-file=")) {
          throw e;
        }
        throw invalid("--issuer-file", issuerFile, e.getMessage());
      }
    }
    return new ServerMaterial(tls, kek, issuer);
  }

  private static void requireFile(String option, Path path) {
    if (!Files.exists(path)) {
      throw invalid(option, path, "no such file");
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw invalid(option, path, "not a readable file");
    }
  }

  private static void requireDirectory(String option, Path path) {
    if (!Files.exists(path)) {
      throw invalid(option, path, "no such directory");
    }
    if (!Files.isDirectory(path)) {
      throw invalid(option, path, "not a directory");
    }
  }

  private static IllegalArgumentException invalid(String option, Path value, @Nullable String why) {
    return new IllegalArgumentException(option + "=" + value + " is not valid: " + why);
  }

  @Override
  public String toString() {
    return "ServerMaterial[identity="
        + tls.spiffeId()
        + ", kek="
        + kek.id()
        + ", issuer="
        + (issuer != null ? issuer.getKeyId() : "none")
        + "]";
  }
}
