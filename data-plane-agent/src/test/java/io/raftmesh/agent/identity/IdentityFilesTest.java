package io.raftmesh.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.agent.testing.TestPki;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.tls.RotatingKeyManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityFilesTest {
  @TempDir Path dir;

  private static StoredCertificate issue(TestPki pki, Instant received) {
    RotatingKeyManager keys =
        pki.leaf(new MeshIdentity.Node(pki.trustDomain, "n1").spiffeId(), Duration.ofHours(1));
    String alias = keys.chooseEngineClientAlias(new String[] {"EC"}, null, null);
    return new StoredCertificate(
        java.util.Objects.requireNonNull(keys.getPrivateKey(alias)),
        List.of(java.util.Objects.requireNonNull(keys.getCertificateChain(alias))),
        received);
  }

  @Test
  void storesKeyOwnerOnlyAndLoadsTheCurrentPairBack() throws Exception {
    TestPki pki = TestPki.create("mesh.test");
    IdentityFiles files = IdentityFiles.in(dir);
    assertThat(files.load(IdentityFiles.NODE)).isEmpty();
    Instant received = Instant.parse("2026-11-27T10:00:00Z");
    StoredCertificate first = issue(pki, received);
    files.store(IdentityFiles.NODE, first);
    StoredCertificate second = issue(pki, received.plusSeconds(60));
    files.store(IdentityFiles.NODE, second);
    files.storeBundle(pki.bundle());

    StoredCertificate loaded = files.load(IdentityFiles.NODE).orElseThrow();
    assertThat(loaded.serial()).isEqualTo(second.serial());
    assertThat(loaded.receivedAt()).isEqualTo(received.plusSeconds(60));
    assertThat(loaded.key().getEncoded()).isEqualTo(second.key().getEncoded());
    assertThat(files.loadBundle(pki.trustDomain).orElseThrow().fingerprints())
        .containsExactly(pki.fingerprint());
    try (Stream<Path> list = Files.list(files.dir())) {
      assertThat(list.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "node.json",
              "node-" + second.serial() + ".key",
              "node-" + second.serial() + ".crt",
              "bundle.pem");
    }
    Path key = files.dir().resolve("node-" + second.serial() + ".key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.dir())))
        .isEqualTo("rwx------");
    assertThat(loaded.toString()).doesNotContain("PRIVATE").contains("key=...");
  }
}
