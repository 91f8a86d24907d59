package io.raftmesh.ca.issue;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JCA provider for the CA's hot path (CSR signature checks and certificate signing):
 * BouncyCastle's, whose P-256/P-384 arithmetic is several times faster than the JDK 17 SunEC code
 * (see the module README for figures). Used as an instance, never registered in {@code
 * java.security.Security}, so nothing else in the process changes.
 */
final class SigningProvider {
  static final Provider BC = new BouncyCastleProvider();

  private SigningProvider() {}

  /**
   * The same private key as a BouncyCastle key object. BouncyCastle caches its fixed-base
   * precomputation on the named curve's generator; a JDK key would be converted on every signature,
   * rebuilding that table each time (most of the cost of a signature).
   */
  static PrivateKey toSigningKey(PrivateKey key) {
    byte[] pkcs8 = key.getEncoded();
    if (pkcs8 == null) {
      return key;
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm(), BC)
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      // Not a key type BouncyCastle can import: sign with it as it is.
      return key;
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }
}
