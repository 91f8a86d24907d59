package io.raftmesh.ca.tls;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.keys.KeyAlgorithm;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSSE key manager holding one private key and certificate chain that can be swapped at runtime
 * ({@link #update}) for certificate rotation: established connections keep going, new handshakes
 * present the new certificate.
 *
 * <p>JSSE picks an alias first and asks for the key and the chain separately. Each update gets a
 * new alias ({@code raftmesh-<generation>}) and the previous pair is kept, so a handshake that
 * picked its alias just before an update still gets a key and a chain that belong together, never
 * the old chain with the new key. Thread-safe.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {
  private static final Logger log = LoggerFactory.getLogger(RotatingKeyManager.class);
  private static final String ALIAS_PREFIX = "raftmesh-";

  private record Material(
      long generation, PrivateKey key, X509Certificate[] chain, String keyType) {
    String alias() {
      return ALIAS_PREFIX + generation;
    }
  }

  private record State(@Nullable Material current, @Nullable Material previous) {}

  private volatile State state = new State(null, null);

  private RotatingKeyManager() {}

  /** A key manager with nothing to present yet (handshakes that need a certificate fail). */
  public static RotatingKeyManager empty() {
    return new RotatingKeyManager();
  }

  /** A key manager presenting {@code chain} (leaf first) with {@code key}. */
  public static RotatingKeyManager of(PrivateKey key, List<X509Certificate> chain) {
    RotatingKeyManager manager = new RotatingKeyManager();
    manager.update(key, chain);
    return manager;
  }

  /**
   * Atomically replaces the key and chain.
   *
   * @throws IllegalArgumentException when the chain is empty or the key does not match its leaf
   */
  public void update(PrivateKey key, List<X509Certificate> chain) {
    requireNonNull(key, "key");
    requireNonNull(chain, "chain");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: empty (expected: the leaf first)");
    }
    X509Certificate leaf = chain.get(0);
    checkKeyMatches(key, leaf);
    X509Certificate[] copy = chain.toArray(new X509Certificate[0]);
    Material material;
    synchronized (this) {
      Material old = state.current();
      long generation = old == null ? 1 : old.generation() + 1;
      material = new Material(generation, key, copy, key.getAlgorithm());
      state = new State(material, old);
    }
    log.info(
        "tls key material updated: alias={} serial={} not_after={}",
        material.alias(),
        leaf.getSerialNumber().toString(16),
        leaf.getNotAfter().toInstant());
  }

  /** The leaf certificate now presented, if any. */
  public Optional<X509Certificate> currentCertificate() {
    Material current = state.current();
    return current == null ? Optional.empty() : Optional.of(current.chain()[0]);
  }

  private static void checkKeyMatches(PrivateKey key, X509Certificate leaf) {
    try {
      KeyAlgorithm algorithm = KeyAlgorithm.of(leaf.getPublicKey());
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm.signatureAlgorithm());
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm.signatureAlgorithm());
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // Falls through: a key of another type is a mismatch too.
    }
    throw new IllegalArgumentException(
        "key: does not match the leaf certificate's public key (expected: the leaf's key pair)");
  }

  private @Nullable String choose(@Nullable String keyType) {
    Material current = state.current();
    if (current == null || keyType == null) {
      return null;
    }
    // JSSE asks for "EC" or "RSA" (TLS 1.3) and e.g. "EC_EC" (TLS 1.2 legacy suites).
    boolean matches =
        keyType.equals(current.keyType()) || keyType.startsWith(current.keyType() + "_");
    return matches ? current.alias() : null;
  }

  private @Nullable String chooseAny(String @Nullable [] keyTypes) {
    if (keyTypes == null) {
      return null;
    }
    for (String keyType : keyTypes) {
      String alias = choose(keyType);
      if (alias != null) {
        return alias;
      }
    }
    return null;
  }

  private @Nullable Material lookup(@Nullable String alias) {
    if (alias == null) {
      return null;
    }
    State s = state;
    Material current = s.current();
    if (current != null && current.alias().equals(alias)) {
      return current;
    }
    Material previous = s.previous();
    if (previous != null && previous.alias().equals(alias)) {
      return previous;
    }
    return null;
  }

  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
    String alias = choose(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public @Nullable String chooseClientAlias(
      String @Nullable [] keyTypes,
      Principal @Nullable [] issuers,
      java.net.@Nullable Socket socket) {
    return chooseAny(keyTypes);
  }

  @Override
  public @Nullable String chooseServerAlias(
      @Nullable String keyType, Principal @Nullable [] issuers, java.net.@Nullable Socket socket) {
    return choose(keyType);
  }

  @Override
  public @Nullable String chooseEngineClientAlias(
      String @Nullable [] keyTypes, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return chooseAny(keyTypes);
  }

  @Override
  public @Nullable String chooseEngineServerAlias(
      @Nullable String keyType, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return choose(keyType);
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(@Nullable String alias) {
    Material material = lookup(alias);
    return material == null ? null : material.chain().clone();
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(@Nullable String alias) {
    Material material = lookup(alias);
    return material == null ? null : material.key();
  }
}
