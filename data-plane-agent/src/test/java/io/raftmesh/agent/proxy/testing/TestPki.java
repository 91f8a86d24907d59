package io.raftmesh.agent.proxy.testing;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away mesh PKI minted at test time: an EC root and SPIFFE workload leaves. */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private final String trustDomain;
  private final KeyPair rootKey;
  private final X509Certificate root;

  /** A new root for {@code trustDomain}. */
  public TestPki(String trustDomain) {
    this.trustDomain = trustDomain;
    try {
      rootKey = newKey();
      X500Name name = new X500Name("CN=raftmesh test root " + trustDomain);
      long now = System.currentTimeMillis();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              new Date(now - 60_000),
              new Date(now + 86_400_000),
              name,
              rootKey.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      root = sign(b, rootKey.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The trust domain. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The root certificate. */
  public X509Certificate root() {
    return root;
  }

  /** A key manager for workload {@code spiffe://<td>/ns/<ns>/sa/<sa>}. */
  public X509ExtendedKeyManager workload(String ns, String sa) {
    return leaf("spiffe://" + trustDomain + "/ns/" + ns + "/sa/" + sa);
  }

  /** A key manager for a leaf with URI SAN {@code spiffeId}, signed by this root. */
  public X509ExtendedKeyManager leaf(String spiffeId) {
    Leaf l = issue(spiffeId);
    return keyManager(l.key(), l.cert(), root);
  }

  /** A leaf's key and certificate. */
  public record Leaf(PrivateKey key, X509Certificate cert) {}

  /** Issues a leaf with URI SAN {@code spiffeId}, signed by this root. */
  public Leaf issue(String spiffeId) {
    try {
      KeyPair kp = newKey();
      long now = System.currentTimeMillis();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              new X500Name(root.getSubjectX500Principal().getName()),
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              new Date(now - 60_000),
              new Date(now + 3_600_000),
              new X500Name("O=raftmesh test"),
              kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(
              KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)));
      X509Certificate cert = sign(b, rootKey.getPrivate());
      return new Leaf(kp.getPrivate(), cert);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A trust manager that trusts this root only. */
  public X509ExtendedTrustManager trustManager() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("root", root);
      TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
      f.init(ks);
      for (TrustManager tm : f.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager) {
          return (X509ExtendedTrustManager) tm;
        }
      }
      throw new IllegalStateException("no X509ExtendedTrustManager");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key manager over a key and chain. */
  public static X509ExtendedKeyManager keyManager(PrivateKey key, X509Certificate... chain) {
    try {
      char[] pw = "changeit".toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("id", key, pw, chain);
      KeyManagerFactory f = KeyManagerFactory.getInstance("NewSunX509");
      f.init(ks, pw);
      for (KeyManager km : f.getKeyManagers()) {
        if (km instanceof X509ExtendedKeyManager) {
          return (X509ExtendedKeyManager) km;
        }
      }
      throw new IllegalStateException("no X509ExtendedKeyManager");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair newKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }
}
