package io.raftmesh.ca.keys;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The key types the mesh accepts. CA keys are ECDSA P-256 (the default) or P-384; leaf keys may
 * also be RSA with a modulus of 2,048 to 8,192 bits (for workloads that cannot do ECDSA). Nothing
 * else: no DSA, no other curves, no explicit EC parameters.
 */
public enum KeyAlgorithm {
  /** ECDSA on NIST P-256 (secp256r1), signing with SHA-256. */
  EC_P256("SHA256withECDSA"),
  /** ECDSA on NIST P-384 (secp384r1), signing with SHA-384. */
  EC_P384("SHA384withECDSA"),
  /** RSA, 2,048 to 8,192 bits; generated keys are 2,048 bits. Leaf certificates only. */
  RSA("SHA256withRSA");

  /** The smallest RSA modulus accepted, in bits. */
  public static final int MIN_RSA_BITS = 2048;

  /** The largest RSA modulus accepted, in bits (bounds the work a request can cause). */
  public static final int MAX_RSA_BITS = 8192;

  private final String signatureAlgorithm;

  KeyAlgorithm(String signatureAlgorithm) {
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The JCA signature algorithm a key of this type signs with, e.g. {@code SHA256withECDSA}. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** Whether this is an elliptic-curve type (the only ones a CA may use). */
  public boolean isEc() {
    return this != RSA;
  }

  /** Generates a fresh key pair of this type. */
  public KeyPair generateKeyPair(SecureRandom random) {
    requireNonNull(random, "random");
    try {
      KeyPairGenerator generator;
      if (this == RSA) {
        generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(
            new RSAKeyGenParameterSpec(MIN_RSA_BITS, RSAKeyGenParameterSpec.F4), random);
      } else {
        generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(
            new ECGenParameterSpec(this == EC_P256 ? "secp256r1" : "secp384r1"), random);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + this + " keys", e);
    }
  }

  /**
   * The type of {@code key}, after checking that the mesh accepts it.
   *
   * @throws UnsupportedKeyException naming the key's type or size and what is accepted
   */
  public static KeyAlgorithm of(PublicKey key) {
    requireNonNull(key, "key");
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      throw new UnsupportedKeyException(
          "public key: " + key.getAlgorithm() + " without an X.509 encoding " + ACCEPTED);
    }
    SubjectPublicKeyInfo info;
    try {
      info = SubjectPublicKeyInfo.getInstance(encoded);
    } catch (IllegalArgumentException e) {
      throw new UnsupportedKeyException("public key: malformed SubjectPublicKeyInfo " + ACCEPTED);
    }
    return of(info, key);
  }

  /**
   * The type of the key in {@code info} (from a CSR or a certificate), after checking it.
   *
   * @param key the decoded key, for RSA size checks
   */
  private static KeyAlgorithm of(SubjectPublicKeyInfo info, PublicKey key) {
    ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      var parameters = info.getAlgorithm().getParameters();
      if (!(parameters instanceof ASN1ObjectIdentifier)) {
        throw new UnsupportedKeyException(
            "public key: EC with explicit or absent curve parameters " + ACCEPTED);
      }
      if (SECObjectIdentifiers.secp256r1.equals(parameters)) {
        return EC_P256;
      }
      if (SECObjectIdentifiers.secp384r1.equals(parameters)) {
        return EC_P384;
      }
      throw new UnsupportedKeyException("public key: EC on curve " + parameters + " " + ACCEPTED);
    }
    if (key instanceof RSAPublicKey) {
      BigInteger modulus = ((RSAPublicKey) key).getModulus();
      BigInteger exponent = ((RSAPublicKey) key).getPublicExponent();
      int bits = modulus.bitLength();
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw new UnsupportedKeyException("public key: RSA-" + bits + " " + ACCEPTED);
      }
      if (!exponent.testBit(0) || exponent.compareTo(BigInteger.valueOf(3)) < 0) {
        throw new UnsupportedKeyException(
            "public key: RSA with public exponent "
                + exponent
                + " (expected: an odd exponent >= 3)");
      }
      return RSA;
    }
    throw new UnsupportedKeyException("public key: " + key.getAlgorithm() + " " + ACCEPTED);
  }

  private static final String ACCEPTED =
      "(expected: EC P-256, EC P-384 or RSA with 2048 to 8192 bits)";
}
