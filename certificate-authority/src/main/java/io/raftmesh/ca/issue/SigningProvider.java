package io.raftmesh.ca.issue;

import java.security.Provider;
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
}
