package io.raftmesh.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster's trust material, made as an operator makes it: {@code raftmesh ca bootstrap}, then
 * {@code ca init} with one server certificate per node naming the node id, {@code 127.0.0.1} and
 * {@link TlsChannels#AUTHORITY} (the name the harness verifies, whatever address it dials).
 *
 * @param rootCert the root certificate (PEM file)
 * @param clusterDir the {@code ca init} output: servers/, admin/, kek.key, issuer.json
 * @param admin the first admin's identity
 */
record Pki(Path rootCert, Path clusterDir, MeshIdentity admin) {
  /** Runs the CLI under {@code dir/pki}, logging to {@code dir/logs}. */
  static Pki make(Distribution dist, Path dir, List<String> nodeIds, String trustDomain)
      throws IOException {
    Path pki = dir.resolve("pki");
    Duration t = Duration.ofMinutes(2);
    dist.run(
        List.of(
            "ca", "bootstrap", "--trust-domain", trustDomain, "--out", pki.resolve("root") + ""),
        dir.resolve("logs/ca-bootstrap.log"),
        t);
    List<String> init =
        new ArrayList<>(
            List.of(
                "ca",
                "init",
                "--root-cert",
                pki.resolve("root/root.crt").toString(),
                "--root-key",
                pki.resolve("root/root.key").toString(),
                "--out",
                pki.resolve("cluster").toString()));
    for (String id : nodeIds) {
      init.add("--server");
      init.add(id + "=" + id + ",127.0.0.1," + TlsChannels.AUTHORITY);
    }
    dist.run(init, dir.resolve("logs/ca-init.log"), t);
    Path admin = pki.resolve("cluster/admin");
    return new Pki(
        pki.resolve("root/root.crt"),
        pki.resolve("cluster"),
        new MeshIdentity(
            "spiffe://" + trustDomain + "/admin/admin",
            Files.readString(admin.resolve("tls.crt")),
            Files.readString(admin.resolve("tls.key"))));
  }
}
