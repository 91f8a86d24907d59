package io.raftmesh.agent.identity;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.keys.KeyFiles;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.TrustBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity files in the agent's data directory:
 *
 * <pre>
 * identity/bundle.pem                 trust bundle (roots), 0644
 * identity/node.json                  which node key and chain are current, with their receipt time
 * identity/node-&lt;serial&gt;.key         private key, 0600
 * identity/node-&lt;serial&gt;.crt         certificate chain, leaf first, 0644
 * identity/workload-&lt;ns&gt;.&lt;svc&gt;.json and its key/crt pairs, likewise
 * identity/enroll-pending.key|.json   key and request id of an enrollment in progress
 * </pre>
 *
 * <p>A key and its chain are written under new names first, then the small JSON pointer is replaced
 * atomically, then old pairs are deleted: a crash at any point leaves a matching key and chain (the
 * old or the new), never one of each. Every write is atomic (temp file, fsync, rename).
 */
public final class IdentityFiles {
  private static final Logger log = LoggerFactory.getLogger(IdentityFiles.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node identity's name in the directory. */
  public static final String NODE = "node";

  private final Path dir;

  private IdentityFiles(Path dir) {
    this.dir = dir;
  }

  /** The identity directory under {@code dataDir}, created (0700) if missing. */
  public static IdentityFiles in(Path dataDir) {
    Path dir = dataDir.resolve("identity");
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    return new IdentityFiles(dir);
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** The file name of a local service's workload identity. */
  public static String workloadName(String namespace, String service) {
    return "workload-" + namespace + "." + service;
  }

  /** Stores a key and chain under {@code name} (see the class comment for the order of writes). */
  public void store(String name, StoredCertificate cert) {
    requireNonNull(name, "name");
    String serial = cert.serial();
    String base = name + "-" + serial;
    KeyFiles.writeSecret(
        dir.resolve(base + ".key"),
        Pem.encodePrivateKey(cert.key()).getBytes(StandardCharsets.US_ASCII));
    KeyFiles.writePublic(
        dir.resolve(base + ".crt"),
        Pem.encodeCertificates(cert.chain()).getBytes(StandardCharsets.US_ASCII));
    ObjectNode pointer = JSON.createObjectNode();
    pointer.put("serial", serial);
    pointer.put("spiffe_id", cert.spiffeId().toString());
    pointer.put("not_after", cert.notAfter().toString());
    pointer.put("received_at", cert.receivedAt().toString());
    writeJson(dir.resolve(name + ".json"), pointer);
    deleteOthers(name, base);
  }

  /**
   * The key and chain stored under {@code name}, if any.
   *
   * @throws IllegalStateException when the files exist but are unreadable or do not match
   */
  public Optional<StoredCertificate> load(String name) {
    Path pointerFile = dir.resolve(name + ".json");
    JsonNode pointer = readJson(pointerFile);
    if (pointer == null) {
      return Optional.empty();
    }
    String serial = pointer.path("serial").asText("");
    String base = name + "-" + serial;
    try {
      PrivateKey key = Pem.readPrivateKey(dir.resolve(base + ".key"));
      List<X509Certificate> chain = Pem.readCertificates(dir.resolve(base + ".crt"));
      Instant received = Instant.parse(pointer.path("received_at").asText());
      return Optional.of(new StoredCertificate(key, chain, received));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          pointerFile + ": cannot load " + base + ".key/.crt: " + e.getMessage(), e);
    }
  }

  /** Removes the files of {@code name} (a service that left the config). */
  public void delete(String name) {
    deleteOthers(name, "\0");
    try {
      Files.deleteIfExists(dir.resolve(name + ".json"));
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir.resolve(name + ".json"), e.toString());
    }
  }

  /** Stores the trust bundle. */
  public void storeBundle(TrustBundle bundle) {
    KeyFiles.writePublic(
        dir.resolve("bundle.pem"), bundle.toPem().getBytes(StandardCharsets.US_ASCII));
  }

  /** The stored trust bundle, if any. */
  public Optional<TrustBundle> loadBundle(TrustDomain trustDomain) {
    Path file = dir.resolve("bundle.pem");
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(TrustBundle.fromPem(trustDomain, Pem.readText(file)));
  }

  /** The pending enrollment's key and request id, if one was started and not finished. */
  public Optional<PendingEnrollment> loadPending() {
    JsonNode pointer = readJson(dir.resolve("enroll-pending.json"));
    if (pointer == null) {
      return Optional.empty();
    }
    try {
      PrivateKey key = Pem.readPrivateKey(dir.resolve("enroll-pending.key"));
      return Optional.of(
          new PendingEnrollment(
              pointer.path("token_id").asText(),
              pointer.path("request_id").asText(),
              pointer.path("csr_pem").asText(),
              key));
    } catch (RuntimeException e) {
      log.warn("ignoring unreadable pending enrollment in {}: {}", dir, e.getMessage());
      return Optional.empty();
    }
  }

  /** Records an enrollment about to be sent, so a retry after a crash reuses its request id. */
  public void storePending(PendingEnrollment pending) {
    KeyFiles.writeSecret(
        dir.resolve("enroll-pending.key"),
        Pem.encodePrivateKey(pending.key()).getBytes(StandardCharsets.US_ASCII));
    ObjectNode pointer = JSON.createObjectNode();
    pointer.put("token_id", pending.tokenId());
    pointer.put("request_id", pending.requestId());
    pointer.put("csr_pem", pending.csrPem());
    writeJson(dir.resolve("enroll-pending.json"), pointer);
  }

  /** Forgets the pending enrollment (it succeeded, or its token is refused). */
  public void clearPending() {
    try {
      Files.deleteIfExists(dir.resolve("enroll-pending.json"));
      Files.deleteIfExists(dir.resolve("enroll-pending.key"));
    } catch (IOException e) {
      log.warn("cannot delete the pending enrollment in {}: {}", dir, e.toString());
    }
  }

  private void deleteOthers(String name, String keepBase) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, name + "-*")) {
      for (Path f : files) {
        String file = f.getFileName().toString();
        boolean pair = file.endsWith(".key") || file.endsWith(".crt");
        if (pair && !file.startsWith(keepBase + ".")) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      log.warn("cannot delete old files of {} in {}: {}", name, dir, e.toString());
    }
  }

  private static void writeJson(Path file, JsonNode node) {
    try {
      KeyFiles.writePublic(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static @org.jspecify.annotations.Nullable JsonNode readJson(Path file) {
    try {
      return JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new IllegalStateException(file + ": unreadable: " + e.getMessage(), e);
    }
  }
}
