package io.raftmesh.server.tls;

import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.TrustBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A directory of TLS material in the layout {@code raftmesh ca init} writes for every server and
 * admin: {@code tls.crt} (the leaf, then the issuing CA, then the root), {@code tls.key} (PKCS#8,
 * mode 0600) and {@code trust-bundle.pem} (the roots).
 *
 * @param chain the certificate chain, leaf first
 * @param key the leaf's private key
 * @param trustBundle the roots to trust
 */
public record TlsDir(List<X509Certificate> chain, PrivateKey key, TrustBundle trustBundle) {

  /** The certificate chain file. */
  public static final String CERT = "tls.crt";

  /** The private key file. */
  public static final String KEY = "tls.key";

  /** The trust bundle file. */
  public static final String TRUST_BUNDLE = "trust-bundle.pem";

  /** Canonical constructor: copies the chain. */
  public TlsDir {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: empty (expected: the leaf certificate first)");
    }
  }

  /**
   * Reads the three files.
   *
   * @throws IllegalArgumentException naming the directory and the file that is missing or wrong
   */
  public static TlsDir read(Path dir) {
    for (String name : List.of(CERT, KEY, TRUST_BUNDLE)) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        throw new IllegalArgumentException(
            "tls dir "
                + dir
                + ": "
                + name
                + " is missing (expected: "
                + CERT
                + ", "
                + KEY
                + " and "
                + TRUST_BUNDLE
                + ", as written by raftmesh ca init)");
      }
    }
    try {
      List<X509Certificate> chain = Pem.readCertificates(dir.resolve(CERT));
      PrivateKey key = Pem.readPrivateKey(dir.resolve(KEY));
      SpiffeId id = SpiffeId.fromCertificate(chain.get(0));
      TrustDomain td = id.trustDomain();
      TrustBundle bundle = TrustBundle.fromPem(td, Pem.readText(dir.resolve(TRUST_BUNDLE)));
      return new TlsDir(chain, key, bundle);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("tls dir " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The SPIFFE ID of the leaf. */
  public SpiffeId spiffeId() {
    return SpiffeId.fromCertificate(chain.get(0));
  }

  /** Writes the three files (the key with mode 0600), creating the directory. */
  public void write(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
    Pem.writeCertificates(dir.resolve(CERT), chain);
    Pem.writePrivateKey(dir.resolve(KEY), key);
    Pem.writeText(dir.resolve(TRUST_BUNDLE), trustBundle.toPem());
  }
}
